"""MedIR: incident response for Japanese hospitals, after MHLW's flowchart."""

__version__ = "0.1.0"
