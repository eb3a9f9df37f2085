"""The HTTP policy and response handling (private: front-ends never import it)."""
