"""Small, fast demos behind notebooks 02 and 03: each runs in a second or two on a CPU.

One module per idea, imported explicitly (``from course_utils.lessons.demos import optim``):

=================== ==========================================================================
``optim``           SGD, SGD + momentum and Adam on 2-D loss surfaces: trajectories and figures
``residual``        a deep plain MLP vs the same depth with skip connections, on two spirals
``attention``       scaled dot-product attention and a toy word-alignment example
``gan``             a tiny generator and discriminator learning a 1-D distribution
``contrastive``     SimCLR's NT-Xent loss, and a toy self-supervised run on shifted signals
``activations``     activation statistics through a deep ReLU stack, with and without kaiming_normal_
``broadcast``       the broadcasting rules written out step by step, and a picture
=================== ==========================================================================

Nothing here runs, seeds or prints at import; every function that draws random numbers takes a
``seed`` and uses its own generator, so results do not depend on what ran before.
"""
