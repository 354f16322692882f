"""Changing codes: the Token editor dock and the code refinement job."""
