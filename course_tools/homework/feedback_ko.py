"""The requirements of the homework in Korean: the checklist of a Korean submission's feedback.

A task's requirements are declared in the English homework's ``# QUESTIONS`` cells
(``requirement(id, text, points)``), which only the grading key carries, the same for every edition. Their texts
are therefore translated by their English wording, as the ``# TEST`` cells' texts are
(``course_utils.messages.translated``): ``REQUIREMENT_TEXTS`` maps each English text to its Korean one, and
``requirement_text(text, lang)`` is what the feedback shows (the English text where there is no translation).

This table is the instructor's (the requirements are not shipped to students), so it lives here, not in
``course_utils``. ``requirement_text_problems()``, run by ``make translation-lint``, lists every English
requirement with no translation (a changed or new requirement) and every translation of a requirement that no
``# QUESTIONS`` cell has any more.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["REQUIREMENT_TEXTS", "requirement_text", "requirement_texts", "requirement_text_problems"]

#: English requirement text (exactly as in ``requirement(...)``) -> Korean.
REQUIREMENT_TEXTS = {
    # 03_pytorch_basics: basics.mlp_backward, basics.init
    "dW2 and db2, the gradients of layer 2, are those of the mean cross-entropy over the batch, with the shapes of "
    "W2 and b2, for any batch, feature, hidden and class sizes":
        "2층의 기울기 dW2와 db2가 배치에 대한 평균 교차 엔트로피(cross-entropy)의 기울기이고, 형태(shape)는 W2, b2와 "
        "같습니다: 배치, 특성, 은닉층, 클래스의 크기가 무엇이든",
    "dW1 and db1, the gradients of layer 1 (back through W2 and the ReLU's mask), are right, with the shapes of W1 "
    "and b1":
        "1층의 기울기 dW1과 db1(W2와 ReLU의 마스크를 거슬러 지나간 것)이 맞고, 형태는 W1, b1과 같습니다",
    "scores in the hundreds give the same, finite gradients as the same scores shifted down (each row's maximum is "
    "subtracted before np.exp)":
        "수백 크기의 점수도 같은 점수를 아래로 옮긴 것과 똑같은 유한한 기울기를 줍니다(np.exp 전에 각 행에서 그 행의 "
        "최댓값을 뺍니다)",
    "predicted_std(weight_var, fan_in, layers) is the theory's standard deviation of layer `layers`: fan_in x "
    "weight_var for layer 1, then half of that factor per later layer":
        "predicted_std(weight_var, fan_in, layers)는 이론이 말하는 `layers`번째 층의 표준편차입니다: 1층은 fan_in x "
        "weight_var, 그 뒤의 층마다 그 배율의 절반",
    "he_normal_ fills the weight with draws from a normal distribution of mean 0 and variance 2 / fan_in, fan_in "
    "being the weight's second dimension (nn.Linear's layout)":
        "he_normal_은 가중치를 평균 0, 분산 2 / fan_in인 정규분포에서 뽑은 값으로 채웁니다. fan_in은 가중치의 두 번째 "
        "차원입니다(nn.Linear의 배치 방식)",
    "he_normal_ changes the given tensor itself (in place, as nn.init's functions do): layer.weight is initialised, "
    "with its shape kept":
        "he_normal_은 받은 텐서 자체를 바꿉니다(nn.init의 함수들처럼 제자리에서(in place)): layer.weight가 형태를 "
        "유지한 채 초기화됩니다",
    # 04_mlp_homework
    "two linear layers with biases, 784 -> 256 and 256 -> 10 (203,530 parameters)":
        "편향(bias)이 있는 선형 층 두 개, 784 -> 256과 256 -> 10 (파라미터 203,530개)",
    "forward flattens each image to 784 numbers but keeps the batch dimension (images or flat rows, any batch size) "
    "and returns the logits of first layer, ReLU, second layer: no softmax, still carrying gradients":
        "forward는 각 이미지를 숫자 784개로 펼치되 배치 차원은 유지하고(이미지든 펼친 행이든, 배치 크기가 무엇이든), "
        "첫 번째 층, ReLU, 두 번째 층을 지난 로짓(logits)을 돌려줍니다: softmax 없이, 기울기를 계속 지닌 채로",
    "a new model's weights come from init_params (kaiming_normal_) and its biases are zero: self.init_params() stays "
    "in __init__":
        "새 모델의 가중치는 init_params(kaiming_normal_)에서 오고 편향은 0입니다: self.init_params()는 __init__ 안에 "
        "그대로 둡니다",
    "the fraction of rows whose largest logit (the classes are along dimension 1) is at the label, for any number of "
    "rows and classes":
        "가장 큰 로짓(클래스는 차원 1을 따라 있습니다)이 레이블(label) 자리에 있는 행의 비율: 행과 클래스의 수가 "
        "무엇이든",
    "the result is a Python float":
        "결과는 Python float입니다",
    "the mean over the batch of minus the log-probability of each row's true class, built from torch.log_softmax "
    "(finite for large logits), not from nn.functional.cross_entropy or nn.CrossEntropyLoss":
        "각 행의 정답 클래스의 로그 확률에 마이너스를 붙인 값의 배치 평균: torch.log_softmax로 만들고(큰 로짓에서도 "
        "유한), nn.functional.cross_entropy나 nn.CrossEntropyLoss는 쓰지 않습니다",
    "the result is a 0-dim tensor that carries gradients (no .item(), no .detach())":
        "결과는 기울기를 지닌 0차원 텐서입니다(.item()도 .detach()도 쓰지 않습니다)",
    "(mean loss, accuracy) over every sample of the loader, each batch weighted by its size, as two Python floats, "
    "computed by your own code (not course_utils.training.evaluate)":
        "로더의 모든 샘플에 대한 (평균 손실(loss), 정확도): 배치마다 그 크기로 가중하고, Python float 두 개로, "
        "여러분의 코드로 계산합니다(course_utils.training.evaluate가 아니라)",
    "the model is measured in evaluation mode (model.eval(): dropout off) and is back in training mode (model.train()) "
    "at the end":
        "모델은 평가 모드(model.eval(): 드롭아웃 끔)에서 측정되고, 끝나면 학습 모드(model.train())로 돌아와 있습니다",
    "two torch.utils.data.Subset of the dataset, disjoint and together all of it, the validation part with "
    "round(val_fraction x length) items":
        "데이터셋의 torch.utils.data.Subset 두 개: 서로 겹치지 않고 합치면 전체이며, 검증 부분의 항목 수는 "
        "round(val_fraction x length)개",
    "the validation items are chosen at random by a torch.Generator seeded with `seed`: the same seed gives the same "
    "split, another seed another split, and PyTorch's global random generator is left alone":
        "검증 항목은 `seed`로 시드를 정한 torch.Generator가 무작위로 고릅니다: 같은 시드는 같은 분할을, 다른 시드는 "
        "다른 분할을 주고, PyTorch의 전역 난수 생성기는 건드리지 않습니다",
    "one gradient step on the batch: the old gradients are reset, the loss of (x, y) is computed and "
    "backpropagated, and the optimizer takes its step":
        "배치에 대한 경사 하강 한 걸음: 이전 기울기를 초기화하고, (x, y)의 손실을 계산해 역전파하고, 옵티마이저"
        "(optimizer)가 한 걸음 나아갑니다",
    "the model is in training mode for the step (model.train() first, whatever mode it was in)":
        "그 한 걸음 동안 모델은 학습 모드입니다(이전에 어떤 모드였든 먼저 model.train())",
    "the result is the batch's loss (before the step) as a Python float":
        "결과는 (한 걸음 전의) 배치 손실을 Python float로 나타낸 것입니다",
    # 05_notmnist_dataset_homework
    "download(url, path, expected_bytes) writes the file at url to path, creating its folder, and returns path as a "
    "pathlib.Path (also without expected_bytes)":
        "download(url, path, expected_bytes)는 url의 파일을 path에 쓰고(폴더도 만들고), path를 pathlib.Path로 "
        "돌려줍니다(expected_bytes가 없어도)",
    "a complete file already at path is returned without downloading; a file of the wrong size is never kept under "
    "the name path (a download of the wrong size raises ValueError, an old one is replaced) and no temporary file is "
    "left behind":
        "path에 이미 완전한 파일이 있으면 내려받지 않고 돌려줍니다. 크기가 틀린 파일은 절대 path라는 이름으로 남지 "
        "않고(크기가 틀리게 내려받으면 ValueError, 예전 파일이면 새로 바꿈), 임시 파일도 남지 않습니다",
    "safe_extract(archive, dest) writes every entry of a .tar.gz under dest with its path (creating dest; str or Path "
    "arguments) and returns dest as a Path, with your own code (not course_utils.data.extract_archive)":
        "safe_extract(archive, dest)는 .tar.gz의 모든 항목을 그 경로대로 dest 아래에 쓰고(dest도 만들고, 인수는 str이나 "
        "Path), dest를 Path로 돌려줍니다: 여러분의 코드로(course_utils.data.extract_archive가 아니라)",
    "an entry that would land outside dest (through .. or an absolute path) or that is a link makes it raise "
    "ValueError (or tarfile's error) and write nothing outside dest (an absolute name may instead be written inside "
    "dest, as tarfile's data filter does)":
        "dest 밖에 놓일 항목(.. 이나 절대 경로를 통해)이나 링크인 항목이 있으면 ValueError(또는 tarfile의 오류)를 "
        "일으키고 dest 밖에는 아무것도 쓰지 않습니다(tarfile의 data 필터처럼, 절대 경로 이름은 대신 dest 안에 써도 "
        "됩니다)",
    "every .png file of folder/A .. folder/J as a (Path, int) pair, label 0 for A to 9 for J, sorted by label then "
    "file name, without the names that start with a dot":
        "folder/A .. folder/J의 모든 .png 파일을 (Path, int) 쌍으로: 레이블은 A가 0부터 J가 9까지, 레이블 다음 파일 "
        "이름 순으로 정렬하고, 점으로 시작하는 이름은 빼고",
    "a folder without all ten letter folders raises FileNotFoundError":
        "글자 폴더 열 개가 다 있지 않은 폴더는 FileNotFoundError를 일으킵니다",
    "check_image(path) is None for a readable 28x28 image, 'empty file (0 bytes)' for an empty file, 'not a readable "
    "PNG' when PIL cannot open and decode it (a PNG cut off in its pixels too) and 'size WxH, expected 28x28' for "
    "another size":
        "check_image(path)는 읽을 수 있는 28x28 이미지에는 None, 빈 파일에는 'empty file (0 bytes)', PIL이 열고 "
        "디코딩할 수 없으면(픽셀 중간에 잘린 PNG도) 'not a readable PNG', 다른 크기에는 'size WxH, expected 28x28'입니다",
    "find_bad_files(pairs) returns (the good pairs in their order, a list of (path, reason) tuples of the bad "
    "files), using check_image":
        "find_bad_files(pairs)는 check_image를 써서 (좋은 쌍들을 원래 순서대로, 나쁜 파일들의 (path, reason) 튜플 "
        "리스트)를 돌려줍니다",
    "load_image(path) of an 8-bit grayscale PNG is a float32 tensor of shape [1, 28, 28] holding its pixels divided "
    "by 255":
        "8비트 흑백(grayscale) PNG의 load_image(path)는 픽셀 값을 255로 나눈 값을 담은 형태 [1, 28, 28]의 float32 "
        "텐서입니다",
    "an RGB or palette PNG is turned into 8-bit grayscale first (Image.convert('L'))":
        "RGB나 팔레트(palette) PNG는 먼저 8비트 흑백으로 바꿉니다(Image.convert('L'))",
    "font_of(name) is the name without .png decoded as standard base64 (with + and /, validate=True) and then as "
    "UTF-8; a name that is not such base64, or whose bytes are not UTF-8, is its own font (the name without .png)":
        "font_of(name)은 .png를 뺀 이름을 표준 base64(+와 / 사용, validate=True)로 디코딩한 다음 UTF-8로 디코딩한 "
        "것입니다. 그런 base64가 아니거나 바이트가 UTF-8이 아닌 이름은 그 자체가 글꼴 이름입니다(.png를 뺀 이름)",
    "(train_pairs, test_pairs): every pair in exactly one list, no font in both, each list in the order of pairs":
        "(train_pairs, test_pairs): 모든 쌍은 정확히 한 리스트에만 있고, 두 리스트에 다 있는 글꼴은 없으며, 각 "
        "리스트는 pairs의 순서를 따릅니다",
    "the test fonts are the first max(1, round(test_fraction x the number of fonts)) fonts sorted by the SHA-256 hex "
    "digest of their name, whatever the order of pairs":
        "테스트 글꼴은 이름의 SHA-256 16진 다이제스트 순으로 정렬한 글꼴 가운데 처음 max(1, round(test_fraction x "
        "글꼴 수))개입니다: pairs의 순서와 상관없이",
    "__init__ looks once: scan_folders, then find_bad_files (its report in self.bad_files), then split_by_font; "
    "self.samples holds the pairs of the split asked for ('train', 'test', or every good pair for 'all')":
        "__init__은 한 번만 살펴봅니다: scan_folders, 그다음 find_bad_files(그 보고는 self.bad_files에), 그다음 "
        "split_by_font. self.samples에는 요청한 분할의 쌍들이 있습니다('train', 'test', 또는 'all'이면 좋은 쌍 전부)",
    "len(dataset) is the number of samples; dataset[i] is (load_image of its path, its label as a Python int), an "
    "index past the end raises IndexError, and a DataLoader visits every sample once":
        "len(dataset)은 샘플 수입니다. dataset[i]는 (그 경로의 load_image, Python int인 레이블)이고, 끝을 넘는 "
        "인덱스는 IndexError를 일으키며, DataLoader는 모든 샘플을 한 번씩 거칩니다",
    "a transform, when given, is applied to each image":
        "transform이 주어지면 각 이미지에 적용합니다",
}

_TABLES = {"ko": REQUIREMENT_TEXTS}


def requirement_text(english: str, lang: str = "en") -> str:
    """A requirement's text (``check.text``, English) in ``lang``: its translation, else the English itself."""
    return _TABLES.get(lang, {}).get(english, english)


def requirement_texts(nb: dict) -> list[str]:
    """The English requirement texts of a notebook's ``# QUESTIONS`` cells, in order, once each: the constant
    ``text`` of every ``requirement(id, text, ...)`` call (read from the source, nothing is run)."""
    from course_tools.translation import cell_source

    from .markers import header_of

    found: dict[str, None] = {}
    for cell in nb.get("cells", []):
        if header_of(cell)[0] != "questions":
            continue
        for node in ast.walk(ast.parse(cell_source(cell))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
                    and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "requirement"):
                continue
            values = node.args[1:2] + [kw.value for kw in node.keywords if kw.arg == "text"]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value)
    return list(found)


def requirement_text_problems(folder: Path = None, tables: dict = None) -> list[str]:
    """Each language's requirement table against the English notebooks' requirements (``folder``: default the
    course's ``notebooks/``): a requirement with no translation, and a translation no requirement has any more."""
    from course_tools.translation import NOTEBOOKS, load

    english: dict[str, str] = {}
    for path in sorted(Path(folder or NOTEBOOKS).glob("*.ipynb")):
        for text in requirement_texts(load(path)):
            english.setdefault(text, path.name)
    problems = []
    for code, table in (_TABLES if tables is None else tables).items():
        problems += [f"course_tools/homework/feedback_{code}.py: REQUIREMENT_TEXTS has no translation of {text!r} "
                     f"(a requirement of {name})" for text, name in english.items() if text not in table]
        problems += [f"course_tools/homework/feedback_{code}.py: REQUIREMENT_TEXTS translates {text!r}, which no "
                     "English # QUESTIONS cell has any more: remove it (or bring it in line with the changed "
                     "requirement)" for text in table if text not in english]
    return problems
