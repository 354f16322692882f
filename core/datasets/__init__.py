"""Datasets at full size: reading many clips into features (in worker processes, through a cache on
disk) and the layouts the field's datasets ship in. Plain Python + NumPy, below the model."""
