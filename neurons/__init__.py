"""ANNarchy neuron declarations of plasticnets: equations and parameters only."""
