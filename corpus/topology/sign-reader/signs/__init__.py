from signs.classifier import SignClassifier

__all__ = ["SignClassifier"]
