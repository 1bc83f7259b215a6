"""English messages: the complete catalogue, and the fallback of every other language.

Keys are grouped by where the message is shown; each value is a ``str.format`` template. Another
language's catalogue (``ko.py``) has the same keys and the same ``{fields}``; ``make translation-lint``
checks it. Keep a field's name meaningful to a translator: it is all they see of the code.
"""

MESSAGES = {
    # ---- course_utils.lessons.bayes_plots.explorer: the line above the figure (HTML)
    "explorer.headline": "<b>posterior P(θ|D) = {posterior}</b> (evidence P(D) = {evidence})",
    "explorer.undefined": "<b>Nobody tests positive (P(D) = 0): the posterior is undefined.</b>",
    # ---- course_utils.checks.runner: make check
    "runner.status.passed": "passed",
    "runner.status.not_done_yet": "not done yet",
    "runner.status.failed": "failed",
    "runner.status.not_run": "not run",
    "runner.fill_in": "Fill in the blank in the cell `# TASK {task}`, above its check (cell {cell}).",
    "runner.summary": "{done} of {total} task checks passed.",
    "runner.next_step": "Open the notebook, fix the first task that does not pass, run its check cell, then run this "
                        "again.",
    "runner.not_found": "not found: {paths}. Give a homework notebook or the notebooks/ folder.",
    "runner.no_homework": "no homework notebook (one with `# TASK` cells) in {paths}",
    "runner.running": "running {path} from the top in a fresh kernel (your file is not changed) ...",
    "runner.could_not_run": "{path}: could not run it: {error}",
    # ---- course_utils.checks.claims: a claim of the text that does not hold on this run
    "claim.fails": "{statement}: not on this run{detail}. If you changed a cell above, that change is the likely "
                   "cause; otherwise restart the kernel and run all cells from the top. If it still fails, tell your "
                   "instructor: the text may need a correction.",
    # ---- the student edition's stubs and answer prompts (in the notebook's language)
    "edition.stub_comment": "# YOUR CODE HERE: replace the line below with your answer",
    "edition.default_code_hint": "write the code for this blank",
    "edition.answer_prompt": "**Your answer** ({hint}): _double-click this cell and write it here._",
    "edition.answer_prompt_default": "**Your answer:** _double-click this cell and write it here._",
    # ---- course_utils.checks.selfcheck: the homework's check cells (a failed check raises with these lines)
    "check.hint": "Hint: {hint}",
    "check.passed": "{task}: the visible checks passed. (The grader asks your code the same with other inputs.)",
    "check.none_hint": "`{name}` is None. A function that ends without `return ...` gives None, and so does a method "
                       "like `list.append` or an in-place operation: check that your code returns or assigns the value.",
    "check.or": " or ",
    "check.type.none": "`{name}` should be a {wanted}, but it is None.",
    "check.type.other": "`{name}` should be a {wanted}, but it is a {kind}: {value}.",
    "check.type.int_for_float": "It is a whole number: `//` divides and rounds down to a whole number, and a count "
                                "that is never divided stays one. Divide with `/`.",
    "check.type.collection_for_float": "One number is wanted, not a collection of them.",
    "check.shape.any": "any",
    "check.shape.none": "`{name}` should be an array/tensor of shape {shape}, but it is None.",
    "check.shape.number": "`{name}` should be an array/tensor of shape {shape}, but it is a {kind}, a plain number: "
                          "{value}.",
    "check.shape.number_advice": "`.item()` (and float(...)) turn a tensor into a plain number: return the tensor "
                                 "itself.",
    "check.shape.shapeless": "`{name}` should be an array/tensor of shape {shape}, but it is a {kind} without a shape: "
                             "{value}.",
    "check.shape.shapeless_advice": "Convert it, e.g. with torch.tensor(...) or np.asarray(...), or return the tensor "
                                    "itself.",
    "check.shape.wrong": "`{name}` should have shape {shape}, but it has shape {got}.",
    "check.shape.colour": "The last dimension has {n} values per pixel: this is a colour image (RGB has 3, RGBA 4). "
                          'Convert the image to 8-bit grayscale first, image.convert("L"), so each pixel has one value.',
    "check.shape.extra_one": "It has an extra dimension of size 1 at position {position}: .squeeze({position}) removes "
                             "it, or find the step that added it.",
    "check.shape.missing_any": "The dimension of any size at position {position} is missing.",
    "check.shape.missing": "The dimension of size {size} at position {position} is missing.",
    "check.shape.ndim": "It has {got} dimension(s) instead of {want}.",
    "check.shape.order": "The sizes are right but in another order: dimension {dim} has size {got} where {want} belongs "
                         "(.T, .transpose, .permute and .unsqueeze(d) decide where each dimension goes).",
    "check.shape.same_count": "It has the right number of elements: check your .view()/.reshape() arguments.",
    "check.close.none": "`{name}` should be about {expected}, but it is None.",
    "check.close.not_numbers": "`{name}` should be a number or an array of numbers, but it is a {kind}: {value}.",
    "check.close.scalar": "`{name}` should be {expected}, but it is {got}.",
    "check.close.nan": "NaN means 'not a number': look for 0/0, log of 0 or a negative, or a learning rate so large "
                       "that values blew up.",
    "check.close.sign": "Only the sign is wrong.",
    "check.close.times_100": "It is exactly 100 times the expected value.",
    "check.close.array": "`{name}` (shape {shape}) differs from the expected values at {n} of {size} positions.",
    "check.close.array_nan": "It contains {n} NaN value(s): look for 0/0, log of 0, or values that blew up during "
                             "training.",
    "check.close.largest": "Largest difference: {largest} (allowed: about {atol} + {rtol} x |expected|).",
    "check.first_difference": "First difference at index {index}: expected {expected}, got {got}.",
    "check.equal.none": "`{name}` should equal {expected}, but it is None.",
    "check.equal.not_array": "`{name}` should be an array or tensor like {expected}, but it is a {kind}.",
    "check.equal.array": "`{name}` differs from the expected values at {n} of {size} positions.",
    "check.equal.value": "`{name}` should be {expected}, but it is {got}.",
    "check.equal.kind": "It is a {kind}, expected a {expected}.",
    "check.in_function": " (in {function})",
    "check.blank.title": "NotImplementedError: {task} is not done yet.",
    "check.blank.what": "What to write: {what}",
    "check.blank.where": "Where: the cell that starts with `# TASK {task}`{inside}. Replace its line "
                         "`raise NotImplementedError(...)` with your code, run that cell, then run this check again.",
    "check.blank.inside": ", in `{function}`",
    "check.blank.run_all": "(Run All stops at the first error, here: the cells below have not run yet.)",
    "check.call.not_callable": "`{name}` cannot be called: {value} is a {kind}, not a function.",
    "check.call.stand_in": "`{name}` stopped in a stand-in: {last}",
    "check.call.called_from": "It was called from your line {line}.",
    "check.call.raised": "`{name}` raised {error}.",
    "check.call.your_line": "It happened in your line {line}.",
    "check.call.name_error": "`{missing}` is not defined when this check runs. Define it in the task cell (or a cell "
                             "above this test) and run that cell: cells run from top to bottom, so whatever a cell "
                             "below the test defines does not exist yet when the test runs.",
    "check.call.no_folder": "The folder `{folder}` does not exist (yet): a file can only be written into a folder that "
                            "exists, so create the folder first.",
    # ---- course_utils.setup, mount_drive, require, optional imports
    "setup.summary": "course_utils {version} | {where} | device {device} | {workers} | seed {seed} | root {root}",
    "setup.local": "local",
    "setup.workers.one": "{n} DataLoader worker",
    "setup.workers.many": "{n} DataLoader workers",
    "setup.no_gpu": "No GPU in this Colab runtime. To get one: Runtime > Change runtime type > Hardware accelerator: "
                    "T4 GPU > Save, then run the notebook again from the top.",
    "drive.not_colab": "Not running on Colab: nothing to mount, files stay on this computer.",
    "drive.failed": "Google Drive was not mounted ({error}).\nContinuing with local storage under /content: it is "
                    "erased when the runtime stops.\nTo retry, run `course_utils.mount_drive()` and accept the "
                    "permission pop-up (allow pop-ups for colab.research.google.com).",
    "drive.missing": "Drive reported success but {folder} does not exist; using local storage.",
    "drive.mounted": "Google Drive mounted: course files go to {folder}",
    "require.too_old": "This notebook needs course_utils {minimum} or newer, but {installed} is installed.",
    "require.other_major": "This notebook was written for course_utils {major}.x, but {installed} is installed, "
                           "whose functions may have changed.",
    "require.fix": "{problem}\nFix: {fix}",
    "fix.restart_colab": "then Runtime > Restart session and run the notebook from the top",
    "fix.restart_local": "then restart the Jupyter kernel",
    "fix.pull_colab": '!git -C {root} pull   then   !pip install -q -e "{root}[notebooks]"   {restart}',
    "fix.pull_local": "cd {root} && git pull && make setup   {restart}",
    "fix.ask_instructor": "ask your instructor for the current course",
    "fix.not_a_clone": "the course folder {root} is not a git clone: replace it with a fresh one ({fresh}), run make "
                       "setup there, {restart}",
    "fix.reinstall_colab": "!pip uninstall -y course-utils   then Runtime > Restart session and run the notebook from "
                           "the top: its first cell clones the current course and installs it",
    "fix.fresh_copy": "get a fresh copy of the course folder ({fresh}), run make setup there, {restart}",
    "fix.pip_upgrade": 'pip install -U "course-utils @ git+{url}"   {restart}',
    "import.alternative": ", or {alternative}",
    "import.too_old": "{needed_by} needs {distribution} {minimum} or newer, but {distribution} {installed} is installed, "
                      "which fails on Python {python} ({error}). Upgrade it: run  %pip install -U "
                      '"{distribution}>={minimum}"  in a notebook cell (or the same without % in a terminal), then '
                      "restart the kernel{tail}.",
    "import.broken": "{needed_by} needs {distribution}: version {installed} is installed but could not be imported "
                     "({error}). Reinstall it: run `pip install {distribution} --force-reinstall` and restart the "
                     "kernel{tail}.",
    "import.missing": "{needed_by} needs {distribution}: run `pip install {distribution}` (Colab already has it) and "
                      "restart the kernel{tail}.",
    # ---- course_utils.checks.exercise: the lessons' one-line feedback
    "exercise.line.todo": "✏️ {title}: not answered yet. Hint: {hint}",
    "exercise.line.todo_returns": "✏️ {title}: not answered yet (the function returns {value}). Hint: {hint}",
    "exercise.line.correct": "✅ {title}: correct.",
    "exercise.line.wrong": "❌ {title}: {why} Hint: {hint}",
    "exercise.wants_function": "this exercise asks for a function; got a {kind}",
    "exercise.call_raised": "{call} raised {error}",
    "exercise.call_returned_nothing": "{call} returned {value}: does the function end with `return ...`?",
    "exercise.call_not_tuple": "{call} should return {n} values (a tuple), got a {kind}",
    "exercise.call_count": "{call} returned {got} values, it should return {n}",
    "exercise.call_nudge": "for {call}, {nudge}",
    "exercise.unknown": "unknown exercise {exercise}; known: {known}. Is the course package up to date "
                        "(course_utils.require)?",
    "exercise.missing_inputs": "give_feedback({exercise}, answer, ...) needs {inputs}: run the check cell as it was "
                               "written",
    "what.your_answer": "your answer",
    "what.the_result": "the result",
    "what.value_k": "value {k} of the result",
    "what.your_function": "your function",
    # ---- nudges: how an answer is off, never the right value
    "nudge.type": "{what} is {detail}",
    "nudge.length": "{what} has {detail}",
    "nudge.shape": "the shape of {what} is off: {detail}",
    "nudge.not_finite": "{what} contains nan or inf{where}: look for a division by zero or a log of 0",
    "nudge.first_at": " (first at index {index})",
    "nudge.percent": "{what} looks like a percentage; give a fraction between 0 and 1",
    "nudge.complement": "{what} looks like 1 minus the right value: is it the probability of the opposite event?",
    "nudge.reciprocal": "{what} looks like the reciprocal of the right value: is a fraction upside down?",
    "nudge.sign": "{what} has the wrong sign",
    "nudge.value.high": "{what} is too big",
    "nudge.value.low": "{what} is too small",
    "nudge.value.off": "{what} is off",
    "nudge.negative.larger": "{what} is too large in size (too far below 0)",
    "nudge.negative.smaller": "{what} is too small in size (too close to 0)",
    "nudge.with_size": "{line} {size}",
    "nudge.array.one": "in {what}, {n} element is off, the first at index {first}",
    "nudge.array.many": "in {what}, {n} elements are off, the first at index {first}",
    "nudge.array.high": "{where}; the wrong ones are too big",
    "nudge.array.low": "{where}; the wrong ones are too small",
    "nudge.array.abs_larger": "{where}; the wrong ones are all too large in absolute value",
    "nudge.array.abs_smaller": "{where}; the wrong ones are all too small in absolute value",
    "nudge.array.mixed": "{where}; some too big, some too small",
    "nudge.array.worst": "{line} (the worst {size})",
    "nudge.array.worst_abs": "{line}, the worst {size}",
    "size.below_1pct": "by less than 1% (close: is a rounded number or a slightly different formula to blame?)",
    "size.1_10pct": "by 1-10%",
    "size.10_50pct": "by 10-50%",
    "size.factor_at_least": "by a factor of {factor} or more",
    "size.factor_between": "by a factor between {low} and {high}",
    # ---- course_utils.checks.compare: the answer's side of a mismatch
    "compare.not_number": "a {kind}, not a number",
    "compare.not_whole_numbers": "a {kind}, not a sequence of whole numbers",
    "compare.entries.more": "{n} entries; it should have more",
    "compare.entries.fewer": "{n} entries; it should have fewer",
    "compare.ndim.one.more": "{ndim} dimension {shape}; it should have more",
    "compare.ndim.one.fewer": "{ndim} dimension {shape}; it should have fewer",
    "compare.ndim.many.more": "{ndim} dimensions {shape}; it should have more",
    "compare.ndim.many.fewer": "{ndim} dimensions {shape}; it should have fewer",
    "compare.dimension.larger": "dimension {i} is {n}, it should be larger",
    "compare.dimension.smaller": "dimension {i} is {n}, it should be smaller",
    # ---- the lessons' exercises: title (what is checked) and hint (the idea, never the code)
    "exercise.01.posterior_formula.title": 'your posterior(prior, sensitivity, false_alarm_rate)',
    "exercise.01.posterior_formula.hint": "numerator prior * sensitivity; the evidence adds the healthy people's false alarms",
    "exercise.01.rapid_test.title": 'posterior of the rapid test',
    "exercise.01.rapid_test.hint": 'count 1,000 people: how many infected test positive, how many healthy?',
    "exercise.01.required_false_alarm.title": 'false-alarm rate for a 0.95 posterior',
    "exercise.01.required_false_alarm.hint": 'solve t = p·s / (p·s + (1 - p)·f) for f, or try many f with np.linspace and your posterior function',
    "exercise.01.sequential_update.title": 'your sequential(prior, sensitivity, false_alarm_rate, tests)',
    "exercise.01.sequential_update.hint": 'loop `tests` times: compute the posterior, store it, and use it as the next prior',
    "exercise.01.tests_needed.title": 'positive tests needed for 0.999',
    "exercise.01.tests_needed.hint": 'run your sequential update for 10 tests and find the first above 0.999',
    "exercise.01.coin_mle.title": 'your coin_mle(heads, flips)',
    "exercise.01.coin_mle.hint": 'the θ that maximises θ^h (1-θ)^t: set the derivative of the log to 0',
    "exercise.01.coin_map.title": 'your coin_map(heads, flips, a, b)',
    "exercise.01.coin_map.hint": 'the peak of Beta(a + h, b + t): the prior adds a - 1 imagined heads and b - 1 imagined tails',
    "exercise.01.cross_entropy.title": 'cross-entropy of one example, by hand',
    "exercise.01.cross_entropy.hint": "softmax turns logits into probabilities; the loss is minus the log of the true class's probability",
    "exercise.01.b_on_a_mix.title": "B's success rate on A's patients",
    "exercise.01.b_on_a_mix.hint": "sum over stone sizes of P(success | B, size) × (A's share of that size)",
    "exercise.02.xor_best_line.title": 'most XOR points a straight line gets right',
    "exercise.02.xor_best_line.hint": 'draw the four corners; a line splits the plane into two sides',
    "exercise.02.momentum_step.title": 'your momentum_step(w, grad, velocity, lr, momentum)',
    "exercise.02.momentum_step.hint": "PyTorch's form: velocity = momentum * velocity + grad, then w = w - lr * velocity; return both",
    "exercise.02.adam_step.title": 'your adam_step(w, grad, m, v, t, lr, beta1, beta2, eps)',
    "exercise.02.adam_step.hint": 'm and v are running averages of grad and grad²; divide each by (1 - beta^t) before the step',
    "exercise.02.largest_stable_lr.title": 'largest stable SGD learning rate',
    "exercise.02.largest_stable_lr.hint": 'the step multiplies w2 by (1 - 2 lr): when is its size below 1?',
    "exercise.03.g_prime.title": "g'(1) for g(x) = x² eˣ",
    "exercise.03.g_prime.hint": 'make x a tensor with requires_grad=True, compute g, call backward, read x.grad',
    "exercise.03.backprop_by_hand.title": '(dL/dw, dL/db) by hand',
    "exercise.03.backprop_by_hand.hint": 'multiply the local derivatives along the path from L back to w (and to b): dL/dp · dp/dz · dz/dw',
    "exercise.03.numerical_gradient.title": 'your numerical_gradient(f, x, h)',
    "exercise.03.numerical_gradient.hint": 'central difference for each coordinate i: (f(x + h·e_i) - f(x - h·e_i)) / (2h)',
    "exercise.03.view_shape.title": 'shape of view(-1, 32 * 32)',
    "exercise.03.view_shape.hint": '-1 becomes (number of elements) / (32 * 32)',
    "exercise.03.broadcast_shape.title": 'broadcast shape of (5, 1, 4) and (3, 1)',
    "exercise.03.broadcast_shape.hint": 'align the shapes on the right; each pair is equal or has a 1',
    "exercise.03.relative_error.title": 'your relative_error(a, b)',
    "exercise.03.relative_error.hint": 'the largest element of |a - b| / max(|a|, |b|); where both are 0 the error is 0, so keep a tiny floor (e.g. 1e-12) under the denominator',
    "exercise.03.mlp_backward.title": 'your mlp_backward(X, y, W1, b1, W2, b2)',
    "exercise.03.mlp_backward.hint": "go backwards: dS = (softmax - one-hot) / N, then layer 2 (dW2, db2), then through W2 and the ReLU's mask to layer 1 (dW1, db1); each gradient has the shape of its parameter; subtract each row's maximum from the scores before np.exp",
    "exercise.03.mlp_backward.name1": "dW1 (layer 1's weights)",
    "exercise.03.mlp_backward.name2": "db1 (layer 1's biases)",
    "exercise.03.mlp_backward.name3": "dW2 (layer 2's weights)",
    "exercise.03.mlp_backward.name4": "db2 (layer 2's biases)",
    "exercise.03.init_std.title": 'your predicted_std(weight_var, fan_in, layers)',
    "exercise.03.init_std.hint": "layer 1 sees the input (second moment 1); every later layer sees a ReLU's output, whose second moment is half the variance before it",
    "exercise.03.init_predictions.title": 'std after 20 layers (default, too small, He)',
    "exercise.03.init_predictions.hint": "the variance of a uniform weight on (-a, a) is a²/3; the too-small weights have std 0.01; He's variance is 2/fan_in; then use your predicted_std",
    "exercise.03.mlp_params.title": 'parameters of 784-128-64-10',
    "exercise.03.mlp_params.hint": 'each Linear(in, out) has in * out weights and out biases',
    "exercise.03b.batches_per_epoch.title": '(batches, batches with drop_last, size of the last batch)',
    "exercise.03b.batches_per_epoch.hint": '5,000 samples in batches of 256: how many full batches fit, and what is left over?',
    # ---- the grader's feedback file (feedback.*): the instructor's tools make these texts with their keys, so the
    # grades table gets the English and each student's feedback file the student's language
    "feedback.title": "# Feedback for {label}",
    "feedback.homework": "Homework: {notebook}  ",
    "feedback.failed": "Your notebook could not be graded this time because of a problem on the grader's side. It "
                       "will be graded again; you do not need to do anything.",
    "feedback.score": "Score: **{total} / {max_points}** ({status})",
    "feedback.score.with_written": "Score: **{total} / {max_points}** ({status}) plus your written answers, graded "
                                   "by hand",
    "feedback.status.graded": "graded",
    "feedback.status.partial": "partial",
    "feedback.status.invalid": "invalid",
    "feedback.status.failed": "failed",
    "feedback.notes.heading": "## Notes",
    "feedback.tasks.heading": "## Tasks",
    "feedback.tasks.intro": "Each task's points are split over its requirements; a requirement counts when every "
                            "grading question about it was answered right. The grader asked its questions where your "
                            "test cell stands, with inputs of its own.",
    "feedback.task.heading": "### {task}: {got} / {worth} point(s)",
    "feedback.task.heading_no_max": "### {task}: {got} point(s)",
    "feedback.selfcheck.passed": "Your self-check (the test cell) passed.",
    "feedback.selfcheck.passed_said": "Your self-check (the test cell) passed: {message}",
    "feedback.selfcheck.not_run": "Your self-check (the test cell) did not run.",
    "feedback.selfcheck.not_run_said": "Your self-check (the test cell) did not run: {message}",
    "feedback.selfcheck.failed": "Your self-check (the test cell) failed.",
    "feedback.selfcheck.failed_said": "Your self-check (the test cell) failed: {message}",
    "feedback.check.one_point": "- [{mark}] {text} ({points} point)",
    "feedback.check.points": "- [{mark}] {text} ({points} points)",
    "feedback.errors.heading": "## Errors in your cells",
    "feedback.errors.intro": "Your notebook ran on the grader: offline, on its own copy of the course data, with a "
                             "time limit per cell. Only the grading questions above give points; an error marked "
                             "\"costs no points\" did not change your score by itself. (Cell numbers count every cell "
                             "from the top, markdown cells included.)",
    "feedback.errors.costs": "- cell {cell} (in a task that scored 0): {error}",
    "feedback.errors.free": "- cell {cell} (costs no points): {error}",
    "feedback.not_run.heading": "## Cells after the last test",
    "feedback.not_run.one": "The grader stopped after the last test, so your last code cell (cell {first}) did not "
                            "run: nothing after the last test can change your score. To check them, run your notebook "
                            "from the top (Runtime > Run all).",
    "feedback.not_run.many": "The grader stopped after the last test, so your last {count} code cells (cells {first} "
                             "to {last}) did not run: nothing after the last test can change your score. To check "
                             "them, run your notebook from the top (Runtime > Run all).",
    # manual.written_section: the written answers, graded by hand
    "feedback.written.heading": "## Written answers (graded by hand)",
    "feedback.written.total": "Points for your written answers: **{total} / {maximum}**.",
    "feedback.written.waiting": "Your written answers ({maximum} points) are graded by hand; the points will appear "
                                "here.",
    "feedback.written.so_far": "Points so far: {total} of {maximum}; not graded yet: {waiting}.",
    "feedback.written.points": "Points: {score}",
    "feedback.written.missing": "The question's cell was not found: was it deleted, or its text changed? Keep the "
                                "question and write your answer below it.",
    "feedback.written.blank": "No answer written.",
    "feedback.written.answer": "Your answer:",
    "feedback.written.comment": "Comment:",
    # judge: why a requirement was missed
    "feedback.judge.timeout": "stopped after {seconds:g} s: an infinite loop, or code much slower than it needs to "
                              "be?",
    "feedback.judge.died": "not answered: the kernel crashed while this question ran",
    "feedback.judge.no_answer": "no valid answer came back from the kernel for this question, so it counts as wrong",
    "feedback.judge.bad_format": "the kernel's answer was not in the grader's format ({problem}): it counts as wrong",
    "feedback.judge.forbidden": "while this question ran, your code called {calls}, which this task asks you to write "
                                "yourself: the answer does not count. Write the steps in your own code (the task text "
                                "says which).",
    "feedback.judge.wrong_form": "your answer does not have the form this question expects (see the task's text: "
                                 "what should your code return?)",
    "feedback.judge.wrong": "wrong answer",
    "feedback.judge.not_done": "not done yet",
    "feedback.judge.not_done_hint": "not done yet: {task}: {hint}",
    "feedback.judge.name_error": "name '{name}' is not defined: run the task cell without errors and keep the names "
                                 "the task asks for",
    "feedback.judge.some_name_error": "a name is not defined: run the task cell without errors and keep the names the "
                                      "task asks for",
    "feedback.judge.raised": "your code raised {error}",
    "feedback.judge.raised_hint": "your code raised {error}. Hint: {hint}",
    "feedback.judge.out_of_time": "not asked: the notebook used up its time limit",
    "feedback.judge.kernel_stopped": "not asked: the kernel stopped answering",
    "feedback.judge.grading_stopped": "not asked: grading stopped before this task",
    # feedback_text: an error in the student's code (its type and the student's own line)
    "feedback.error.unknown": "an error",
    "feedback.error.at_cell": "{error} in your cell {cell}, line {line}",
    "feedback.error.at_cell_code": "{error} in your cell {cell}, line {line}: {code}",
    "feedback.error.at_line": "{error} in your line {line}",
    "feedback.error.at_line_code": "{error} in your line {line}: {code}",
    # submission: notes, the self-check, cells' errors
    "feedback.where.cell": "cell {cell}",
    "feedback.where.test": "the test of {test}",
    "feedback.where.questions": "the questions of {test}",
    "feedback.note.unknown_test": "cell {cell}: test cell '# TEST {test}' is not part of this homework: ignored",
    "feedback.note.duplicated_test": "cell {cell}: test cell {test} is duplicated: the copy was ignored",
    "feedback.note.changed_test": "cell {cell}: test cell {test} was changed: the original ran in its place (your "
                                  "test cell is only your own self-check; the grading questions decide the points)",
    "feedback.note.deleted_test": "test cell {test} was deleted: the original was put back after its task cell",
    "feedback.note.out_of_time": "the whole notebook used up its time limit of {seconds:g} s",
    "feedback.note.questions_crashed": "the Python kernel crashed or stopped answering while the questions of {test} "
                                       "were asked; nothing after them ran",
    "feedback.note.protocol": "the kernel stopped answering the grader properly while running {where}; nothing after "
                              "it ran",
    "feedback.note.crashed": "the Python kernel crashed while running {where} (os._exit, a segfault, or running out of "
                             "memory); nothing after it ran",
    "feedback.note.stuck": "the kernel did not stop after {where} timed out (it ignores interrupts); nothing after it "
                           "ran",
    "feedback.note.grader_failed": "the grader could not run this notebook ({error}); it will be graded again on the "
                                   "next run",
    "feedback.note.grader_crashed": "the grader failed on this notebook ({error}); it will be graded again on the "
                                    "next run",
    "feedback.note.test_printed": "the test of {test} printed {count:,} characters",
    "feedback.note.timed_out": "{where} ran longer than {seconds:g} s and was stopped",
    "feedback.note.syntax": "{where} has a {error}",
    "feedback.note.printed": "{where} printed {count:,} characters (output is not kept when grading)",
    "feedback.note.malformed": "some answers the kernel sent back were not in the grader's format: each counted as "
                               "wrong",
    "feedback.cell.timed_out": "stopped after {seconds:g} s (infinite loop?)",
    "feedback.selfcheck.stopped": "stopped after {seconds:g} s",
    "feedback.selfcheck.not_done": "not done yet",
    "feedback.selfcheck.not_done_said": "not done yet: {message}",
    # limits: a limit of the grader that a notebook passed
    "feedback.limit.memory": "{where} ran out of memory: the grader gives each notebook {limit}",
    "feedback.limit.file": "{where} wrote a file larger than the grader allows ({limit})",
    "feedback.limit.sandbox_full": "{where} filled a folder of the grader's sandbox (/tmp holds {tmp}, /dev/shm "
                                   "{shm}): its write failed",
    "feedback.limit.processes": "{where} could not start another process or thread: the grader allows {limit} at once",
    "feedback.limit.stopped": "the grader stopped the notebook while {where} ran: {breach}; nothing after it ran",
    "feedback.breach.tasks": "the notebook ran more than {limit} processes and threads at once (the grader's limit; it "
                             "counted {count})",
    "feedback.breach.memory": "the notebook's processes used more than {limit} of memory together (the grader's "
                              "limit; it measured {measured})",
    "feedback.breach.disk": "the notebook wrote more than {limit} of files (the grader's limit on disk space, counting "
                            "deleted files it still held open)",
    "feedback.breach.files": "the notebook created more than {limit:,} files and folders (the grader's limit)",
    "feedback.breach.unreadable": "the notebook made a folder the grader cannot read, so its disk use could not be "
                                  "measured",
}
