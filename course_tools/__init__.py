"""course_tools: what instructors and maintainers run; never shipped to students.

- ``course_tools.homework``: release a student edition, lint the markers, grade submissions
  (``python -m course_tools.homework release|grade|lint``).
- ``course_tools.notebooks``: Colab badges and bootstrap cells, executing notebooks in place.
- ``course_tools.synth``: the generator of the embedded offline data (``python -m course_tools.synth``).
- ``course_tools.reference``: reference solutions that students write themselves (the notMNIST
  Dataset class of homework 05), used by benchmarks and tests.

Importing it has no side effects. It depends on ``course_utils``; ``course_utils`` never imports it.
"""
