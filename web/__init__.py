"""What every request shares, whichever page it is for: formatting, tokens and wording
used in several places. It imports the models and never the views, so the worker uses it
too."""
