"""한국어 메시지 (Korean messages): ``en.py`` 와 같은 키, 같은 ``{필드}``.

A key missing here falls back to the English text; ``make translation-lint`` lists every key that is
missing, extra, or whose ``{fields}`` differ from the English. Particles (은/는, 이/가) are avoided right
after a ``{field}``, whose last syllable nobody knows in advance: ``"{what}: 너무 큽니다"``.
"""

MESSAGES = {
    # ---- course_utils.lessons.bayes_plots.explorer
    "explorer.headline": "<b>사후확률 P(θ|D) = {posterior}</b> (증거 P(D) = {evidence})",
    "explorer.undefined": "<b>양성이 나오는 사람이 없습니다(P(D) = 0): 사후확률이 정의되지 않습니다.</b>",
    # ---- course_utils.checks.runner: make check
    "runner.status.passed": "통과(passed)",
    "runner.status.not_done_yet": "아직 안 함(not done yet)",
    "runner.status.failed": "실패(failed)",
    "runner.status.not_run": "실행 안 됨(not run)",
    "runner.fill_in": "확인 셀(셀 {cell}) 위의 `# TASK {task}` 셀에서 빈칸을 채우세요.",
    "runner.summary": "과제 확인 {total}개 중 {done}개 통과.",
    "runner.next_step": "노트북을 열어 통과하지 못한 첫 과제를 고치고, 그 확인 셀을 실행한 다음, 이것을 다시 실행하세요.",
    "runner.not_found": "찾을 수 없습니다: {paths}. 과제 노트북이나 notebooks/ 폴더를 주세요.",
    "runner.no_homework": "{paths}에 과제 노트북(`# TASK` 셀이 있는 노트북)이 없습니다",
    "runner.running": "{path}: 새 커널에서 처음부터 실행하는 중 (여러분의 파일은 바뀌지 않습니다) ...",
    "runner.could_not_run": "{path}: 실행할 수 없습니다: {error}",
    # ---- course_utils.checks.claims
    "claim.fails": "{statement}: 이번 실행에서는 성립하지 않습니다{detail}. 위의 셀을 바꿨다면 그 변경이 가장 유력한 "
                   "원인입니다. 아니라면 커널을 다시 시작하고 모든 셀을 처음부터 실행하세요. 그래도 실패하면 강사에게 "
                   "알려 주세요: 본문을 고쳐야 할 수도 있습니다.",
    # ---- 학생판의 빈칸과 답 쓰는 자리 (노트북의 언어로)
    "edition.stub_comment": "# 여기에 코드를 쓰세요: 아래 줄을 여러분의 답으로 바꾸세요",
    "edition.default_code_hint": "이 빈칸의 코드를 쓰세요",
    "edition.answer_prompt": "**여러분의 답** ({hint}): _이 셀을 더블클릭해서 여기에 쓰세요._",
    "edition.answer_prompt_default": "**여러분의 답:** _이 셀을 더블클릭해서 여기에 쓰세요._",
    # ---- course_utils.checks.selfcheck: 과제의 확인 셀
    "check.hint": "힌트: {hint}",
    "check.passed": "{task}: 보이는 확인을 통과했습니다(passed). (채점기는 여러분의 코드에 같은 것을 다른 입력으로 묻습니다.)",
    "check.none_hint": "`{name}`의 값이 None입니다. `return ...` 없이 끝나는 함수는 None을 돌려주고, `list.append` 같은 "
                       "메서드나 제자리(in-place) 연산도 그렇습니다: 코드가 값을 돌려주거나 대입하는지 확인하세요.",
    "check.or": " 또는 ",
    "check.type.none": "`{name}`: {wanted} 유형이어야 하는데 None입니다.",
    "check.type.other": "`{name}`: {wanted} 유형이어야 하는데 {kind} 유형입니다: {value}.",
    "check.type.int_for_float": "정수입니다: `//`는 나눈 뒤 내림해서 정수를 만들고, 나누지 않은 개수는 정수 그대로입니다. "
                                "`/`로 나누세요.",
    "check.type.collection_for_float": "숫자들의 모음이 아니라 숫자 하나가 필요합니다.",
    "check.shape.any": "아무 크기",
    "check.shape.none": "`{name}`: 형태(shape)가 {shape}인 배열/텐서여야 하는데 None입니다.",
    "check.shape.number": "`{name}`: 형태가 {shape}인 배열/텐서여야 하는데 {kind}, 즉 보통 숫자입니다: {value}.",
    "check.shape.number_advice": "`.item()`(과 float(...))은 텐서를 보통 숫자로 바꿉니다: 텐서 자체를 돌려주세요.",
    "check.shape.shapeless": "`{name}`: 형태가 {shape}인 배열/텐서여야 하는데 형태가 없는 {kind}입니다: {value}.",
    "check.shape.shapeless_advice": "torch.tensor(...)나 np.asarray(...) 등으로 바꾸거나, 텐서 자체를 돌려주세요.",
    "check.shape.wrong": "`{name}`: 기대한 형태(shape)는 {shape}인데 지금 형태는 {got}입니다.",
    "check.shape.colour": "마지막 차원에 픽셀마다 값이 {n}개 있습니다: 컬러 이미지입니다(RGB는 3, RGBA는 4). 먼저 "
                          'image.convert("L")로 8비트 흑백(grayscale)으로 바꿔서 픽셀마다 값이 하나가 되게 하세요.',
    "check.shape.extra_one": "위치 {position}에 크기 1인 차원이 하나 더 있습니다: .squeeze({position})로 없애거나, "
                             "그 차원을 더한 단계를 찾으세요.",
    "check.shape.missing_any": "위치 {position}의 (아무 크기) 차원이 빠졌습니다.",
    "check.shape.missing": "위치 {position}의 크기 {size}인 차원이 빠졌습니다.",
    "check.shape.ndim": "차원이 {want}개가 아니라 {got}개입니다.",
    "check.shape.order": "크기들은 맞지만 순서가 다릅니다: {dim}번 차원의 크기가 {got}인데, 그 자리에는 크기 {want}인 "
                         "차원이 와야 합니다(.T, .transpose, .permute, .unsqueeze(d)가 각 차원의 자리를 정합니다).",
    "check.shape.same_count": "원소 개수는 맞습니다: .view()/.reshape()의 인수를 확인하세요.",
    "check.close.none": "`{name}`: 기대한 값은 약 {expected}인데 None입니다.",
    "check.close.not_numbers": "`{name}`: 숫자나 숫자 배열이어야 하는데 {kind}입니다: {value}.",
    "check.close.scalar": "`{name}`: 기대한 값은 {expected}인데 {got}입니다.",
    "check.close.nan": "NaN은 '숫자가 아님(not a number)'이라는 뜻입니다: 0/0, 0이나 음수의 로그, 또는 값이 폭발할 만큼 "
                       "큰 학습률을 찾아보세요.",
    "check.close.sign": "부호만 틀렸습니다.",
    "check.close.times_100": "기대한 값의 정확히 100배입니다.",
    "check.close.array": "`{name}` (형태 {shape}): 위치 {size}개 중 {n}개에서 기대한 값과 다릅니다.",
    "check.close.array_nan": "NaN 값이 {n}개 있습니다: 0/0, 0의 로그, 또는 학습 중에 폭발한 값을 찾아보세요.",
    "check.close.largest": "가장 큰 차이: {largest} (허용: 약 {atol} + {rtol} x |기대값|).",
    "check.first_difference": "첫 번째 차이는 인덱스 {index}: 기대한 값 {expected}, 여러분의 값 {got}.",
    "check.equal.none": "`{name}`: 기대한 값은 {expected}인데 None입니다.",
    "check.equal.not_array": "`{name}`: {expected} 같은 배열이나 텐서여야 하는데 {kind}입니다.",
    "check.equal.array": "`{name}`: 위치 {size}개 중 {n}개에서 기대한 값과 다릅니다.",
    "check.equal.value": "`{name}`: 기대한 값은 {expected}인데 {got}입니다.",
    "check.equal.kind": "기대한 유형은 {expected}인데 {kind} 유형입니다.",
    "check.in_function": " ({function} 안)",
    "check.blank.title": "NotImplementedError: {task}: 아직 하지 않았습니다.",
    "check.blank.what": "쓸 것: {what}",
    "check.blank.where": "위치: `# TASK {task}`로 시작하는 셀{inside}. 그 셀의 `raise NotImplementedError(...)` 줄을 "
                         "여러분의 코드로 바꾸고, 그 셀을 실행한 다음, 이 확인을 다시 실행하세요.",
    "check.blank.inside": "의 `{function}` 안",
    "check.blank.run_all": "(모두 실행(Run All)은 첫 오류, 여기서 멈춥니다: 아래 셀들은 아직 실행되지 않았습니다.)",
    "check.call.not_callable": "`{name}`: 호출할 수 없습니다. {value}는 함수가 아니라 {kind}입니다.",
    "check.call.stand_in": "`{name}`: 대역(stand-in) 함수 안에서 멈췄습니다: {last}",
    "check.call.called_from": "여러분의 코드 {line}에서 호출되었습니다.",
    "check.call.raised": "`{name}`에서 오류가 났습니다: {error}.",
    "check.call.your_line": "오류가 난 곳은 여러분의 코드 {line}입니다.",
    "check.call.name_error": "이 확인이 실행될 때 `{missing}`: 정의되어 있지 않습니다. 과제 셀(또는 이 테스트 위의 셀)에서 "
                             "정의하고 그 셀을 실행하세요: 셀은 위에서 아래로 실행되므로, 테스트 아래 셀에서 정의한 것은 "
                             "테스트가 실행될 때 아직 없습니다.",
    "check.call.no_folder": "폴더 `{folder}`가 (아직) 없습니다: 파일은 있는 폴더 안에만 쓸 수 있으니, 먼저 폴더를 만드세요.",
    # ---- course_utils.setup, mount_drive, require, 선택적 import
    "setup.summary": "course_utils {version} | {where} | 장치(device) {device} | {workers} | 시드(seed) {seed} | "
                     "루트(root) {root}",
    "setup.local": "로컬(local)",
    "setup.workers.one": "DataLoader 워커 {n}개",
    "setup.workers.many": "DataLoader 워커 {n}개",
    "setup.no_gpu": "이 Colab 런타임에는 GPU가 없습니다. GPU를 쓰려면: 런타임(Runtime) > 런타임 유형 변경(Change runtime "
                    "type) > 하드웨어 가속기(Hardware accelerator): T4 GPU > 저장(Save), 그다음 노트북을 처음부터 다시 "
                    "실행하세요.",
    "drive.not_colab": "Colab이 아닙니다: 마운트할 것이 없고, 파일은 이 컴퓨터에 저장됩니다.",
    "drive.failed": "Google Drive를 마운트하지 못했습니다({error}).\n/content 아래 로컬 저장소로 계속합니다: 런타임이 "
                    "멈추면 지워집니다.\n다시 하려면 `course_utils.mount_drive()`를 실행하고 권한 팝업을 허용하세요"
                    "(colab.research.google.com의 팝업을 허용).",
    "drive.missing": "Drive는 성공했다고 했지만 {folder} 폴더가 없습니다; 로컬 저장소를 씁니다.",
    "drive.mounted": "Google Drive 마운트 완료: 강의 파일은 {folder}에 저장됩니다",
    "require.too_old": "이 노트북에는 course_utils {minimum} 이상이 필요한데, 설치된 버전은 {installed}입니다.",
    "require.other_major": "이 노트북은 course_utils {major}.x용으로 쓰였는데, 설치된 버전은 {installed}입니다. 함수가 "
                           "바뀌었을 수 있습니다.",
    "require.fix": "{problem}\n해결 방법: {fix}",
    "fix.restart_colab": "그다음 런타임(Runtime) > 세션 다시 시작(Restart session) 후 노트북을 처음부터 실행하세요",
    "fix.restart_local": "그다음 Jupyter 커널을 다시 시작하세요",
    "fix.pull_colab": '!git -C {root} pull   그다음   !pip install -q -e "{root}[notebooks]"   {restart}',
    "fix.pull_local": "cd {root} && git pull && make setup   {restart}",
    "fix.ask_instructor": "강사에게 최신 강의 자료를 받으세요",
    "fix.not_a_clone": "강의 폴더({root})가 git 클론(clone)이 아닙니다: 새 복사본({fresh})으로 바꾸고, 그곳에서 make "
                       "setup을 실행한 뒤, {restart}",
    "fix.reinstall_colab": "!pip uninstall -y course-utils   그다음 런타임(Runtime) > 세션 다시 시작(Restart session) 후 "
                           "노트북을 처음부터 실행하세요: 첫 셀이 최신 강의를 받아 설치합니다",
    "fix.fresh_copy": "강의 폴더의 새 복사본을 받고({fresh}), 그곳에서 make setup을 실행한 뒤, {restart}",
    "fix.pip_upgrade": 'pip install -U "course-utils @ git+{url}"   {restart}',
    "import.alternative": ", 또는 {alternative}",
    "import.too_old": "{needed_by}에는 {distribution} {minimum} 이상이 필요한데, 설치된 {distribution} {installed} 버전은 "
                      "Python {python}에서 실패합니다({error}). 업그레이드하세요: 노트북 셀에서  %pip install -U "
                      '"{distribution}>={minimum}"  을 실행하고(터미널에서는 % 없이), 커널을 다시 시작하세요{tail}.',
    "import.broken": "{needed_by}에는 {distribution} 패키지가 필요합니다: {installed} 버전이 설치되어 있지만 import되지 "
                     "않습니다({error}). 다시 설치하세요: `pip install {distribution} --force-reinstall`을 실행하고 "
                     "커널을 다시 시작하세요{tail}.",
    "import.missing": "{needed_by}에는 {distribution} 패키지가 필요합니다: `pip install {distribution}`을 실행하고(Colab에는 "
                      "이미 있습니다) 커널을 다시 시작하세요{tail}.",
    # ---- course_utils.checks.exercise
    "exercise.line.todo": "✏️ {title}: 아직 답하지 않았습니다. 힌트: {hint}",
    "exercise.line.todo_returns": "✏️ {title}: 아직 답하지 않았습니다(함수의 반환값이 {value}입니다). 힌트: {hint}",
    "exercise.line.correct": "✅ {title}: 정답입니다.",
    "exercise.line.wrong": "❌ {title}: {why} 힌트: {hint}",
    "exercise.wants_function": "이 연습은 함수를 답으로 받습니다. 받은 것은 {kind}입니다",
    "exercise.call_raised": "{call} 실행 중 오류: {error}",
    "exercise.call_returned_nothing": "{call}의 반환값이 {value}입니다: 함수가 `return ...`으로 끝나나요?",
    "exercise.call_not_tuple": "{call}의 반환값: 값 {n}개(튜플, tuple)여야 하는데 {kind} 하나입니다",
    "exercise.call_count": "{call}의 반환값이 {got}개입니다. {n}개여야 합니다",
    "exercise.call_nudge": "{call}에서, {nudge}",
    "exercise.unknown": "알 수 없는 연습 {exercise}. 있는 연습: {known}. 강의 패키지가 최신인가요(course_utils.require)?",
    "exercise.missing_inputs": "give_feedback({exercise}, answer, ...)에는 {inputs}도 필요합니다: 확인 셀을 처음 "
                               "쓰인 그대로 실행하세요",
    "what.your_answer": "여러분의 답",
    "what.the_result": "결과",
    "what.value_k": "결과의 {k}번째 값",
    "what.your_function": "여러분의 함수",
    # ---- 넛지(nudge): 어느 쪽으로 틀렸는지만, 정답은 말하지 않음
    "nudge.type": "{what}: {detail}",
    "nudge.length": "{what}: {detail}",
    "nudge.shape": "{what}의 형태(shape)가 맞지 않습니다: {detail}",
    "nudge.not_finite": "{what}에 nan이나 inf가 있습니다{where}: 0으로 나누기나 0의 로그를 찾아보세요",
    "nudge.first_at": " (처음 나온 곳은 인덱스 {index})",
    "nudge.percent": "{what}: 백분율(percentage)처럼 보입니다. 0과 1 사이의 비율로 답하세요",
    "nudge.complement": "{what}: 정답을 1에서 뺀 값처럼 보입니다. 반대 사건의 확률은 아닌가요?",
    "nudge.reciprocal": "{what}: 정답의 역수처럼 보입니다. 분수의 위아래가 바뀌지 않았나요?",
    "nudge.sign": "{what}: 부호가 반대입니다",
    "nudge.value.high": "{what}: 너무 큽니다",
    "nudge.value.low": "{what}: 너무 작습니다",
    "nudge.value.off": "{what}: 맞지 않습니다",
    "nudge.negative.larger": "{what}: 크기(절댓값)가 너무 큽니다(0보다 너무 아래)",
    "nudge.negative.smaller": "{what}: 크기(절댓값)가 너무 작습니다(0에 너무 가까움)",
    "nudge.with_size": "{line} ({size})",
    "nudge.array.one": "{what}에서 원소 {n}개가 맞지 않습니다(첫 번째는 인덱스 {first})",
    "nudge.array.many": "{what}에서 원소 {n}개가 맞지 않습니다(첫 번째는 인덱스 {first})",
    "nudge.array.high": "{where}. 틀린 원소는 너무 큽니다",
    "nudge.array.low": "{where}. 틀린 원소는 너무 작습니다",
    "nudge.array.abs_larger": "{where}. 틀린 원소는 모두 절댓값이 너무 큽니다",
    "nudge.array.abs_smaller": "{where}. 틀린 원소는 모두 절댓값이 너무 작습니다",
    "nudge.array.mixed": "{where}. 일부는 너무 크고 일부는 너무 작습니다",
    "nudge.array.worst": "{line} (가장 많이 틀린 원소: {size})",
    "nudge.array.worst_abs": "{line} (가장 많이 틀린 원소: {size})",
    "size.below_1pct": "1% 미만 차이 (거의 맞았습니다: 반올림한 숫자나 조금 다른 공식 때문은 아닌가요?)",
    "size.1_10pct": "1-10% 차이",
    "size.10_50pct": "10-50% 차이",
    "size.factor_at_least": "{factor}배 이상 차이",
    "size.factor_between": "{low}배에서 {high}배 사이 차이",
    # ---- course_utils.checks.compare
    "compare.not_number": "숫자가 아니라 {kind}입니다",
    "compare.not_whole_numbers": "정수들의 시퀀스(sequence)가 아니라 {kind}입니다",
    "compare.entries.more": "항목이 {n}개입니다. 더 많아야 합니다",
    "compare.entries.fewer": "항목이 {n}개입니다. 더 적어야 합니다",
    "compare.ndim.one.more": "{ndim}차원 {shape}입니다. 차원이 더 많아야 합니다",
    "compare.ndim.one.fewer": "{ndim}차원 {shape}입니다. 차원이 더 적어야 합니다",
    "compare.ndim.many.more": "{ndim}차원 {shape}입니다. 차원이 더 많아야 합니다",
    "compare.ndim.many.fewer": "{ndim}차원 {shape}입니다. 차원이 더 적어야 합니다",
    "compare.dimension.larger": "{i}번 차원이 {n}입니다. 더 커야 합니다",
    "compare.dimension.smaller": "{i}번 차원이 {n}입니다. 더 작아야 합니다",
    # ---- 강의 연습: 제목(무엇을 확인하나)과 힌트(아이디어만, 코드는 주지 않음)
    "exercise.01.posterior_formula.title": "여러분의 posterior(prior, sensitivity, false_alarm_rate)",
    "exercise.01.posterior_formula.hint": "분자는 prior * sensitivity; 증거(evidence)에는 건강한 사람들의 오탐(false alarm)이 더해집니다",
    "exercise.01.rapid_test.title": "신속 검사의 사후확률",
    "exercise.01.rapid_test.hint": "1,000명을 세어 보세요: 감염자 중 몇 명이, 건강한 사람 중 몇 명이 양성이 나올까요?",
    "exercise.01.required_false_alarm.title": "사후확률 0.95를 위한 오탐률",
    "exercise.01.required_false_alarm.hint": "t = p·s / (p·s + (1 - p)·f)를 f에 대해 풀거나, np.linspace로 여러 f를 "
                                             "만들어 여러분의 posterior 함수에 넣어 보세요",
    "exercise.01.sequential_update.title": "여러분의 sequential(prior, sensitivity, false_alarm_rate, tests)",
    "exercise.01.sequential_update.hint": "`tests`번 반복하세요: 사후확률을 계산해 저장하고, 그것을 다음 사전확률로 씁니다",
    "exercise.01.tests_needed.title": "0.999에 필요한 양성 검사 횟수",
    "exercise.01.tests_needed.hint": "여러분의 순차 갱신을 10번 실행하고 처음으로 0.999를 넘는 회차를 찾으세요",
    "exercise.01.coin_mle.title": "여러분의 coin_mle(heads, flips)",
    "exercise.01.coin_mle.hint": "θ^h (1-θ)^t를 최대로 만드는 θ: 로그의 도함수를 0으로 놓으세요",
    "exercise.01.coin_map.title": "여러분의 coin_map(heads, flips, a, b)",
    "exercise.01.coin_map.hint": "Beta(a + h, b + t)의 꼭대기: 사전분포가 상상의 앞면 a - 1번과 뒷면 b - 1번을 더합니다",
    "exercise.01.cross_entropy.title": "예제 하나의 교차 엔트로피(cross-entropy), 손으로",
    "exercise.01.cross_entropy.hint": "소프트맥스(softmax)가 로짓을 확률로 바꿉니다; 손실은 정답 클래스 확률의 로그에 "
                                      "마이너스를 붙인 값입니다",
    "exercise.01.b_on_a_mix.title": "A의 환자들에게 B를 썼을 때의 성공률",
    "exercise.01.b_on_a_mix.hint": "결석 크기별로 P(성공 | B, 크기) × (그 크기가 A의 환자 중 차지하는 비율)을 더하세요",
    "exercise.02.xor_best_line.title": "직선 하나로 맞힐 수 있는 XOR 점의 최대 개수",
    "exercise.02.xor_best_line.hint": "네 꼭짓점을 그려 보세요; 직선은 평면을 두 쪽으로 나눕니다",
    "exercise.02.momentum_step.title": "여러분의 momentum_step(w, grad, velocity, lr, momentum)",
    "exercise.02.momentum_step.hint": "PyTorch의 형태: velocity = momentum * velocity + grad, 그다음 "
                                      "w = w - lr * velocity; 둘 다 돌려주세요",
    "exercise.02.adam_step.title": "여러분의 adam_step(w, grad, m, v, t, lr, beta1, beta2, eps)",
    "exercise.02.adam_step.hint": "m과 v는 grad와 grad²의 이동 평균입니다; 한 걸음 가기 전에 각각 (1 - beta^t)로 나누세요",
    "exercise.02.largest_stable_lr.title": "SGD가 발산하지 않는 가장 큰 학습률",
    "exercise.02.largest_stable_lr.hint": "한 걸음은 w2에 (1 - 2 lr)을 곱합니다: 그 크기가 1보다 작으려면?",
    "exercise.03.g_prime.title": "g(x) = x² eˣ 일 때 g'(1)",
    "exercise.03.g_prime.hint": "x를 requires_grad=True인 텐서로 만들고, g를 계산하고, backward를 호출한 뒤 x.grad를 읽으세요",
    "exercise.03.backprop_by_hand.title": "손으로 구한 (dL/dw, dL/db)",
    "exercise.03.backprop_by_hand.hint": "L에서 w(와 b)까지 거꾸로 가는 경로를 따라 국소 미분을 곱하세요: dL/dp · dp/dz · dz/dw",
    "exercise.03.numerical_gradient.title": "여러분의 numerical_gradient(f, x, h)",
    "exercise.03.numerical_gradient.hint": "좌표 i마다 중심 차분(central difference): (f(x + h·e_i) - f(x - h·e_i)) / (2h)",
    "exercise.03.view_shape.title": "view(-1, 32 * 32)의 형태(shape)",
    "exercise.03.view_shape.hint": "-1은 (원소 개수) / (32 * 32)가 됩니다",
    "exercise.03.broadcast_shape.title": "(5, 1, 4)와 (3, 1)을 브로드캐스팅한 형태",
    "exercise.03.broadcast_shape.hint": "두 형태를 오른쪽 끝에 맞춰 세우세요; 각 쌍은 같거나 하나가 1입니다",
    "exercise.03.relative_error.title": "여러분의 relative_error(a, b)",
    "exercise.03.relative_error.hint": "|a - b| / max(|a|, |b|)의 가장 큰 원소; 둘 다 0인 곳의 오차는 0이므로 분모 아래에 "
                                       "아주 작은 바닥값(예: 1e-12)을 두세요",
    "exercise.03.mlp_backward.title": "여러분의 mlp_backward(X, y, W1, b1, W2, b2)",
    "exercise.03.mlp_backward.hint": "거꾸로 가세요: dS = (softmax - 원-핫) / N, 그다음 2층(dW2, db2), 그다음 W2와 ReLU의 "
                                     "마스크를 지나 1층(dW1, db1); 각 기울기는 자기 파라미터와 형태가 같습니다; np.exp 전에 "
                                     "점수의 각 행에서 그 행의 최댓값을 빼세요",
    "exercise.03.mlp_backward.name1": "dW1 (1층의 가중치)",
    "exercise.03.mlp_backward.name2": "db1 (1층의 편향)",
    "exercise.03.mlp_backward.name3": "dW2 (2층의 가중치)",
    "exercise.03.mlp_backward.name4": "db2 (2층의 편향)",
    "exercise.03.init_std.title": "여러분의 predicted_std(weight_var, fan_in, layers)",
    "exercise.03.init_std.hint": "1층은 입력을 봅니다(2차 모멘트 1); 그 뒤의 층은 모두 ReLU의 출력을 보는데, 그 2차 모멘트는 "
                                 "ReLU 앞 분산의 절반입니다",
    "exercise.03.init_predictions.title": "20층 뒤의 표준편차 (기본값, 너무 작은 값, He)",
    "exercise.03.init_predictions.hint": "(-a, a) 위 균등분포 가중치의 분산은 a²/3; 너무 작은 가중치의 표준편차는 0.01; He의 "
                                         "분산은 2/fan_in; 그다음 여러분의 predicted_std를 쓰세요",
    "exercise.03.mlp_params.title": "784-128-64-10의 파라미터 수",
    "exercise.03.mlp_params.hint": "Linear(in, out) 하나에는 가중치 in * out개와 편향 out개가 있습니다",
    "exercise.03b.batches_per_epoch.title": "(배치 수, drop_last일 때의 배치 수, 마지막 배치의 크기)",
    "exercise.03b.batches_per_epoch.hint": "샘플 5,000개를 256개씩 나누면: 꽉 찬 배치는 몇 개이고, 남는 것은 몇 개일까요?",
    # ---- 채점기가 쓰는 피드백 파일 (feedback.*)
    "feedback.title": "# {label} 피드백",
    "feedback.homework": "과제: {notebook}  ",
    "feedback.failed": "채점기 쪽의 문제로 이번에는 노트북을 채점하지 못했습니다. 다시 채점될 예정이니 여러분이 할 일은 "
                       "없습니다.",
    "feedback.score": "점수: **{total} / {max_points}** ({status})",
    "feedback.score.with_written": "점수: **{total} / {max_points}** ({status}), 여기에 손으로 채점하는 서술형 답의 "
                                   "점수가 더해집니다",
    "feedback.status.graded": "채점 완료",
    "feedback.status.partial": "일부만 채점",
    "feedback.status.invalid": "채점할 수 없음",
    "feedback.status.failed": "채점 실패",
    "feedback.notes.heading": "## 알림",
    "feedback.tasks.heading": "## 과제",
    "feedback.tasks.intro": "각 과제의 점수는 요구 사항들에 나뉘어 있습니다. 한 요구 사항에 대한 채점 질문에 모두 맞게 "
                            "답하면 그 요구 사항의 점수를 받습니다. 채점기는 여러분의 테스트 셀이 있는 자리에서, 자기만의 "
                            "입력으로 질문했습니다.",
    "feedback.task.heading": "### {task}: {got} / {worth}점",
    "feedback.task.heading_no_max": "### {task}: {got}점",
    "feedback.selfcheck.passed": "여러분의 자체 확인(테스트 셀): 통과했습니다(passed).",
    "feedback.selfcheck.passed_said": "여러분의 자체 확인(테스트 셀): 통과했습니다(passed): {message}",
    "feedback.selfcheck.not_run": "여러분의 자체 확인(테스트 셀): 실행되지 않았습니다.",
    "feedback.selfcheck.not_run_said": "여러분의 자체 확인(테스트 셀): 실행되지 않았습니다: {message}",
    "feedback.selfcheck.failed": "여러분의 자체 확인(테스트 셀): 실패했습니다.",
    "feedback.selfcheck.failed_said": "여러분의 자체 확인(테스트 셀): 실패했습니다: {message}",
    "feedback.check.one_point": "- [{mark}] {text} ({points}점)",
    "feedback.check.points": "- [{mark}] {text} ({points}점)",
    "feedback.errors.heading": "## 여러분의 셀에서 난 오류",
    "feedback.errors.intro": "여러분의 노트북은 채점기에서 실행되었습니다: 오프라인으로, 채점기의 강의 데이터 사본으로, 셀마다 "
                             "시간 제한을 두고. 점수는 위의 채점 질문으로만 받습니다. \"점수와 무관\"이라고 표시된 오류는 "
                             "그 자체로는 점수를 바꾸지 않았습니다. (셀 번호는 마크다운 셀을 포함해 맨 위부터 모든 셀을 "
                             "셉니다.)",
    "feedback.errors.costs": "- 셀 {cell} (0점을 받은 과제 안): {error}",
    "feedback.errors.free": "- 셀 {cell} (점수와 무관): {error}",
    "feedback.not_run.heading": "## 마지막 테스트 뒤의 셀",
    "feedback.not_run.one": "채점기는 마지막 테스트 뒤에서 멈추므로, 여러분의 마지막 코드 셀(셀 {first})은 실행되지 "
                            "않았습니다: 마지막 테스트 뒤의 셀은 점수를 바꿀 수 없습니다. 그 셀을 확인하려면 노트북을 "
                            "처음부터 실행하세요(런타임 > 모두 실행(Run all)).",
    "feedback.not_run.many": "채점기는 마지막 테스트 뒤에서 멈추므로, 여러분의 마지막 코드 셀 {count}개(셀 {first}부터 "
                             "{last}까지)는 실행되지 않았습니다: 마지막 테스트 뒤의 셀은 점수를 바꿀 수 없습니다. 그 셀들을 "
                             "확인하려면 노트북을 처음부터 실행하세요(런타임 > 모두 실행(Run all)).",
    # manual.written_section: 손으로 채점하는 서술형 답
    "feedback.written.heading": "## 서술형 답 (손으로 채점)",
    "feedback.written.total": "서술형 답의 점수: **{total} / {maximum}**.",
    "feedback.written.waiting": "서술형 답({maximum}점)은 손으로 채점합니다. 점수가 나오면 여기에 표시됩니다.",
    "feedback.written.so_far": "지금까지의 점수: {maximum}점 중 {total}점. 아직 채점하지 않은 질문: {waiting}.",
    "feedback.written.points": "점수: {score}",
    "feedback.written.missing": "질문 셀을 찾지 못했습니다: 셀을 지웠거나 질문 글을 바꾸지 않았나요? 질문은 그대로 두고 "
                                "그 아래에 답을 쓰세요.",
    "feedback.written.blank": "쓴 답이 없습니다.",
    "feedback.written.answer": "여러분의 답:",
    "feedback.written.comment": "코멘트:",
    # judge: 요구 사항을 놓친 이유
    "feedback.judge.timeout": "{seconds:g}초 뒤에 멈췄습니다: 무한 루프이거나, 필요 이상으로 훨씬 느린 코드가 아닐까요?",
    "feedback.judge.died": "답하지 못했습니다: 이 질문을 실행하는 동안 커널이 멈췄습니다(crash)",
    "feedback.judge.no_answer": "이 질문에 대해 커널에서 올바른 답이 오지 않아서 틀린 것으로 칩니다",
    "feedback.judge.bad_format": "커널의 답이 채점기의 형식이 아니었습니다({problem}): 틀린 것으로 칩니다",
    "feedback.judge.forbidden": "이 질문을 실행하는 동안 여러분의 코드가 {calls} 함수를 불렀는데, 이 과제는 그것을 직접 "
                                "작성하라고 합니다: 그 답은 인정되지 않습니다. 그 단계들을 여러분의 코드로 직접 쓰세요(어떤 "
                                "단계인지는 과제 글에 있습니다).",
    "feedback.judge.wrong_form": "여러분의 답이 이 질문이 기대하는 형태가 아닙니다(과제 글을 보세요: 여러분의 코드는 무엇을 "
                                 "돌려주어야(return) 하나요?)",
    "feedback.judge.wrong": "틀린 답",
    "feedback.judge.not_done": "아직 하지 않았습니다",
    "feedback.judge.not_done_hint": "아직 하지 않았습니다: {task}: {hint}",
    "feedback.judge.name_error": "이름 '{name}'이(가) 정의되어 있지 않습니다(NameError): 과제 셀을 오류 없이 실행하고, "
                                 "과제가 요구하는 이름을 그대로 쓰세요",
    "feedback.judge.some_name_error": "어떤 이름이 정의되어 있지 않습니다(NameError): 과제 셀을 오류 없이 실행하고, 과제가 "
                                      "요구하는 이름을 그대로 쓰세요",
    "feedback.judge.raised": "여러분의 코드에서 오류가 났습니다: {error}",
    "feedback.judge.raised_hint": "여러분의 코드에서 오류가 났습니다: {error}. 힌트: {hint}",
    "feedback.judge.out_of_time": "묻지 않았습니다: 노트북이 시간 제한을 다 썼습니다",
    "feedback.judge.kernel_stopped": "묻지 않았습니다: 커널이 더 이상 답하지 않았습니다",
    "feedback.judge.grading_stopped": "묻지 않았습니다: 이 과제 전에 채점이 멈췄습니다",
    # feedback_text: 학생 코드의 오류 (오류의 종류와 학생 자신의 줄)
    "feedback.error.unknown": "오류",
    "feedback.error.at_cell": "{error}: 여러분의 셀 {cell}, {line}번째 줄",
    "feedback.error.at_cell_code": "{error}: 여러분의 셀 {cell}, {line}번째 줄: {code}",
    "feedback.error.at_line": "{error}: 여러분의 코드 {line}번째 줄",
    "feedback.error.at_line_code": "{error}: 여러분의 코드 {line}번째 줄: {code}",
    # submission: 알림, 자체 확인, 셀의 오류
    "feedback.where.cell": "셀 {cell}",
    "feedback.where.test": "{test}의 테스트",
    "feedback.where.questions": "{test}의 채점 질문",
    "feedback.note.unknown_test": "셀 {cell}: 테스트 셀 '# TEST {test}'은(는) 이 과제에 없는 것이라 무시했습니다",
    "feedback.note.duplicated_test": "셀 {cell}: 테스트 셀 {test}이(가) 중복되어 사본은 무시했습니다",
    "feedback.note.changed_test": "셀 {cell}: 테스트 셀 {test}이(가) 바뀌어 있어서 원래 셀을 대신 실행했습니다(테스트 셀은 "
                                  "여러분 자신을 위한 자체 확인일 뿐이고, 점수는 채점 질문이 정합니다)",
    "feedback.note.deleted_test": "테스트 셀 {test}이(가) 지워져 있어서 원래 셀을 과제 셀 뒤에 다시 넣었습니다",
    "feedback.note.out_of_time": "노트북 전체가 시간 제한 {seconds:g}초를 다 썼습니다",
    "feedback.note.questions_crashed": "{test}의 채점 질문을 하는 동안 Python 커널이 멈추거나(crash) 답하지 않았습니다. 그 "
                                       "뒤는 아무것도 실행되지 않았습니다",
    "feedback.note.protocol": "{where}을(를) 실행하는 동안 커널이 채점기에 제대로 답하지 않았습니다. 그 뒤는 아무것도 "
                              "실행되지 않았습니다",
    "feedback.note.crashed": "{where}을(를) 실행하는 동안 Python 커널이 멈췄습니다(os._exit, 세그폴트(segfault), 또는 "
                             "메모리 부족). 그 뒤는 아무것도 실행되지 않았습니다",
    "feedback.note.stuck": "{where}의 시간이 다 된 뒤에도 커널이 멈추지 않았습니다(인터럽트를 무시합니다). 그 뒤는 아무것도 "
                           "실행되지 않았습니다",
    "feedback.note.grader_failed": "채점기가 이 노트북을 실행하지 못했습니다({error}). 다음 채점 때 다시 채점됩니다",
    "feedback.note.grader_crashed": "채점기가 이 노트북에서 실패했습니다({error}). 다음 채점 때 다시 채점됩니다",
    "feedback.note.test_printed": "{test}의 테스트가 {count:,}자를 출력했습니다",
    "feedback.note.timed_out": "{where}: {seconds:g}초보다 오래 실행되어 멈췄습니다",
    "feedback.note.syntax": "{where}: 문법 오류가 있습니다({error})",
    "feedback.note.printed": "{where}: {count:,}자를 출력했습니다(채점할 때 출력은 남기지 않습니다)",
    "feedback.note.malformed": "커널이 보낸 답 가운데 채점기의 형식이 아닌 것이 있었습니다: 각각 틀린 것으로 쳤습니다",
    "feedback.cell.timed_out": "{seconds:g}초 뒤에 멈췄습니다(무한 루프?)",
    "feedback.selfcheck.stopped": "{seconds:g}초 뒤에 멈췄습니다",
    "feedback.selfcheck.not_done": "아직 하지 않았습니다",
    "feedback.selfcheck.not_done_said": "아직 하지 않았습니다: {message}",
    # limits: 노트북이 넘은 채점기의 제한
    "feedback.limit.memory": "{where}: 메모리가 부족했습니다. 채점기는 노트북마다 메모리를 {limit}까지 줍니다",
    "feedback.limit.file": "{where}: 채점기가 허용하는 크기({limit})보다 큰 파일을 썼습니다",
    "feedback.limit.sandbox_full": "{where}: 채점기 샌드박스(sandbox)의 폴더를 가득 채워서(/tmp는 {tmp}, /dev/shm은 "
                                   "{shm}까지) 쓰기에 실패했습니다",
    "feedback.limit.processes": "{where}: 프로세스나 스레드를 더 시작할 수 없었습니다. 채점기는 한 번에 {limit}개까지 "
                                "허용합니다",
    "feedback.limit.stopped": "{where}을(를) 실행하는 동안 채점기가 노트북을 멈췄습니다: {breach}. 그 뒤는 아무것도 "
                              "실행되지 않았습니다",
    "feedback.breach.tasks": "노트북이 한 번에 프로세스와 스레드를 {limit}개보다 많이 실행했습니다(채점기의 제한. 센 수: "
                             "{count})",
    "feedback.breach.memory": "노트북의 프로세스들이 함께 {limit}보다 많은 메모리를 썼습니다(채점기의 제한. 잰 값: "
                              "{measured})",
    "feedback.breach.disk": "노트북이 {limit}보다 많은 파일을 썼습니다(채점기의 디스크 공간 제한. 지웠지만 아직 열어 둔 "
                            "파일도 셉니다)",
    "feedback.breach.files": "노트북이 파일과 폴더를 {limit:,}개보다 많이 만들었습니다(채점기의 제한)",
    "feedback.breach.unreadable": "노트북이 채점기가 읽을 수 없는 폴더를 만들어서 디스크 사용량을 잴 수 없었습니다",
}
