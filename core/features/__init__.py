"""What a clip becomes for the model: feature matrices, their normalisation, and feature-space mirroring.

A new representation (HumanML3D-263, a body part of a skeleton) goes here.
"""
