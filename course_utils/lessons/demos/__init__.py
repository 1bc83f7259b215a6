"""Small, fast demos behind notebooks 02, 03 and 03b: each runs in seconds on a CPU.

One module per idea, imported explicitly (``from course_utils.lessons.demos import optim``):

=================== ==========================================================================
``optim``           SGD, momentum and Adam on 2-D surfaces: update rules, learning-rate search, figures
``residual``        the degradation problem: shallow plain, deep plain and deep residual MLPs on two spirals
``attention``       scaled dot-product attention and a toy word-alignment example
``gan``             a tiny generator and discriminator learning a 1-D distribution
``contrastive``     SimCLR's NT-Xent loss, and a toy self-supervised run on shifted signals
``activations``     activation statistics through a deep ReLU stack by initialisation, and their theory
``broadcast``       the broadcasting rules written out step by step, and a picture
``backprop``        backpropagation by hand on a one-neuron graph, and a drawing of the graph
``mlp_backprop``    backpropagation in matrix form for a two-layer MLP, and the relative-error gradient check
``loading``         a Dataset with costly per-sample work, to time ``DataLoader(num_workers=...)``
=================== ==========================================================================

Nothing here runs, seeds or prints at import; every function that draws random numbers takes a
``seed`` and uses its own generator, so results do not depend on what ran before. The one exception
is ``loading.AugmentedDigits``, whose random angles come from torch's generator, which each
``DataLoader`` worker seeds for itself.
"""
