"""Tasks and the trial scripts that train networks on them; every protocol is a command."""
