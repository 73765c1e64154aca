"""ANNarchy synapse declarations of plasticnets: the plasticity rules."""
