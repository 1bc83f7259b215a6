"""What the lesson notebooks import: ``bayes`` and ``bayes_plots`` (01), ``milestones`` (02's
timeline) and ``demos`` (the runnable mini-demos of 02 and 03)."""
