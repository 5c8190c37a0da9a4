"""eksguard: catch the EKS decisions that only hurt at scale, in a pull request."""

__version__ = "0.1.0"
