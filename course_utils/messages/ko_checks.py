"""한국어 (Korean): the English texts of the homework's ``# TEST`` cells (check names, messages, hints,
``HINT_...``), translated by their wording; ``make translation-lint`` checks there is one entry per text."""

CHECK_TEXTS = {
    # ---- notebooks/03_pytorch_basics.ipynb
    # TEST basics.mlp_backward
    "mlp_backward(X, y, W1, b1, W2, b2)": "mlp_backward(X, y, W1, b1, W2, b2)",
    "see Exercise 4: the forward pass, then the four rules from the loss back to layer 1":
        "연습 4 참고: 먼저 순전파(forward pass), 그다음 손실에서 1층까지 거꾸로 네 가지 규칙",
    "mlp_forward for the forward pass, then rule 1, 2, 3 and 4 by hand":
        "순전파는 mlp_forward로, 그다음 규칙 1, 2, 3, 4는 손으로 직접",
    # TEST basics.init
    "see Exercise 8: nn.Linear(in, out).weight has shape (out, in); draw from a normal in place, under torch.no_grad()":
        "연습 8 참고: nn.Linear(in, out).weight의 형태(shape)는 (out, in)입니다; torch.no_grad() 아래에서, "
        "정규분포에서 뽑은 값으로 제자리에서(in place) 채우세요",
    "predicted_std(2 / 256, 256, 20)": "predicted_std(2 / 256, 256, 20)",
    "he_normal_(layer.weight)": "he_normal_(layer.weight)",
    "layer.weight after he_normal_": "he_normal_ 호출 뒤의 layer.weight",
    "he_normal_(layer.weight) left layer.weight as it was: change the given tensor itself (in place), as nn.init's "
    "functions do.":
        "he_normal_(layer.weight)가 layer.weight를 그대로 두었습니다: nn.init의 함수들처럼, 받은 텐서 자체를 "
        "제자리에서(in place) 바꾸세요.",
    "The weights' mean is not 0.": "가중치의 평균이 0이 아닙니다.",
    # ---- notebooks/04_mlp_homework.ipynb
    # TEST mlp.model
    "see task mlp.model: flatten each image to 784 numbers but keep the batch dimension: (B, 1, 28, 28) -> (B, 784)":
        "과제 mlp.model 참고: 이미지마다 784개의 숫자로 펴되(flatten) 배치(batch) 차원은 남기세요: (B, 1, 28, 28) -> "
        "(B, 784)",
    "MLP()": "MLP()",
    "create the layers in __init__, after super().__init__()":
        "층(layer)은 __init__ 안에서, super().__init__() 다음에 만드세요",
    "number of parameters": "파라미터 개수",
    "784 x 256 weights + 256 biases in the first layer, 256 x 10 + 10 in the second":
        "첫 번째 층에 가중치 784 x 256개 + 편향 256개, 두 번째 층에 256 x 10 + 10개",
    "keep self.init_params() at the end of __init__, after the layers are created":
        "self.init_params() 줄은 __init__의 끝, 층을 만든 다음에 그대로 두세요",
    "model(images) with images of shape (5, 1, 28, 28)": "model(images) (images의 형태: (5, 1, 28, 28))",
    "model(images)": "model(images)",
    "model(images) a second time": "model(images), 두 번째 호출",
    "the logits of the same images, computed twice": "같은 이미지로 두 번 계산한 로짓(logits)",
    "the same images must give the same logits: the task's MLP has no random layer (such as nn.Dropout)":
        "같은 이미지는 같은 로짓을 내야 합니다: 이 과제의 MLP에는 (nn.Dropout 같은) 무작위 층이 없습니다",
    "The logits do not carry gradients: training could not change the weights.":
        "로짓이 기울기(gradient)를 추적하지 않습니다: 이대로는 학습이 가중치를 바꿀 수 없습니다.",
    "no torch.no_grad() or .detach() in forward": "forward 안에서는 torch.no_grad()도 .detach()도 쓰지 마세요",
    "model(images[:1]), one image": "model(images[:1]), 이미지 한 장",
    "the logits of an image alone and in a batch": "이미지 한 장을 따로 넣었을 때와 배치 안에서의 로짓",
    "an image's logits must not depend on the other images of the batch: flatten each image on its own (keep "
    "dimension 0) and compute nothing across the batch":
        "이미지의 로짓은 배치의 다른 이미지에 따라 달라지면 안 됩니다: 이미지마다 따로 펴고(0번 차원은 그대로 두고), "
        "배치 전체에 걸친 계산은 하지 마세요",
    "model(images of shape (5, 784))": "model(형태가 (5, 784)인 images)",
    "a batch that is already flat must work too": "이미 펴진 배치도 동작해야 합니다",
    "the logits of a flat batch": "펴진 배치의 로짓",
    "Your model is linear: model(a) + model(b) = model(a + b) + model(0) for any two images, so it can only draw "
    "straight boundaries (section 2).":
        "여러분의 모델은 선형(linear)입니다: 어떤 두 이미지에 대해서도 model(a) + model(b) = model(a + b) + "
        "model(0)이므로, 직선 경계만 그릴 수 있습니다(2절).",
    "put a ReLU between the two linear layers": "두 선형 층 사이에 ReLU를 넣으세요",
    "the logits of a model with known weights": "정해진 가중치를 넣은 모델의 로짓",
    "first layer, ReLU, second layer; return the second layer's output as it is (no softmax)":
        "첫 번째 층, ReLU, 두 번째 층 순서입니다; 두 번째 층의 출력을 그대로 돌려주세요(소프트맥스 없이)",
    # TEST mlp.accuracy
    "see task mlp.accuracy: the predicted class of a row is the index of its largest logit along dimension 1 (the "
    "classes); compare with the labels, turn the True/False tensor into numbers with .float() before .mean(), and "
    "return .item()":
        "과제 mlp.accuracy 참고: 한 행의 예측 클래스는 1번 차원(클래스 차원)을 따라 가장 큰 로짓의 인덱스입니다; "
        "레이블(label)과 비교하고, True/False 텐서를 .mean() 전에 .float()로 숫자로 바꾸고, .item()을 돌려주세요",
    "accuracy(toy_logits, toy_labels)": "accuracy(toy_logits, toy_labels)",
    "accuracy(...)": "accuracy(...)",
    "return the fraction as a Python float (a one-element tensor gives it with .item())":
        "비율을 파이썬 float으로 돌려주세요(원소가 하나인 텐서는 .item()으로 그 값을 줍니다)",
    "accuracy on the toy batch": "작은 예제 배치의 정확도",
    "the prediction of a row is the position of its largest logit (the classes are along dimension 1); the fraction "
    "is out of the number of rows":
        "한 행의 예측은 가장 큰 로짓의 위치입니다(클래스는 1번 차원을 따라 놓여 있습니다); 비율의 분모는 행의 "
        "개수입니다",
    # TEST mlp.cross_entropy
    "see task mlp.cross_entropy: log_softmax over dimension 1, the entry of the true class in each row, minus the mean":
        "과제 mlp.cross_entropy 참고: 1번 차원에 대한 log_softmax, 각 행에서 정답 클래스의 값, 그 평균에 마이너스를 "
        "붙인 값",
    "cross_entropy(logits, labels)": "cross_entropy(logits, labels)",
    "use torch.log_softmax and pick the entry of each row's true class":
        "torch.log_softmax를 쓰고, 각 행에서 정답 클래스의 값을 고르세요",
    "cross_entropy(...)": "cross_entropy(...)",
    "return one number for the whole batch (the mean), as a tensor":
        "배치 전체에 대한 숫자 하나(평균)를 텐서로 돌려주세요",
    "cross_entropy(...) vs nn.functional.cross_entropy": "cross_entropy(...) (nn.functional.cross_entropy와 비교)",
    "cross_entropy(logits x 1000, labels)": "cross_entropy(logits x 1000, labels)",
    "torch.log_softmax stays finite where torch.log(torch.softmax(...)) does not":
        "torch.log(torch.softmax(...))가 유한한 값을 내지 못하는 곳에서도 torch.log_softmax는 유한한 값을 냅니다",
    "cross_entropy(logits x 1000, ...)": "cross_entropy(logits x 1000, ...)",
    "cross_entropy returns a tensor that does not carry gradients: training could not use it.":
        "cross_entropy가 기울기(gradient)를 추적하지 않는 텐서를 돌려줍니다: 이대로는 학습에 쓸 수 없습니다.",
    "return the mean itself: no .item(), no .detach()":
        "평균 그 자체를 돌려주세요: .item()도 .detach()도 쓰지 않습니다",
    # TEST mlp.evaluate
    "see task mlp.evaluate: weigh each batch by its size, and divide by the number of samples":
        "과제 mlp.evaluate 참고: 배치마다 그 크기만큼 비중을 주고, 샘플 수로 나누세요",
    "evaluate(net, loader, loss_fn)": "evaluate(net, loader, loss_fn)",
    "Your evaluate calls course_utils.training.evaluate: the task is to write the loop yourself.":
        "여러분의 evaluate가 course_utils.training.evaluate를 호출합니다: 이 과제는 반복문(loop)을 직접 쓰는 "
        "것입니다.",
    "the mean loss": "평균 손실",
    "return Python floats (.item())": "파이썬 float을 돌려주세요(.item())",
    "the accuracy": "정확도",
    "return Python floats": "파이썬 float을 돌려주세요",
    "After evaluate the model is still in evaluation mode.":
        "evaluate가 끝났는데 모델이 아직 평가 모드(evaluation mode)입니다.",
    "call model.train() at the end": "끝에서 model.train()을 호출하세요",
    "After evaluate a model that was in evaluation mode before is still in evaluation mode.":
        "호출 전에 평가 모드였던 모델이 evaluate가 끝난 뒤에도 평가 모드입니다.",
    "call model.train() at the end, whatever mode the model was in":
        "모델이 어느 모드였든, 끝에서 model.train()을 호출하세요",
    "the mean loss over the 10 samples": "샘플 10개에 대한 평균 손실",
    "weigh each batch's mean loss by its size; and measure in evaluation mode (model.eval()), dropout off":
        "배치마다 평균 손실에 그 배치의 크기만큼 비중을 주세요; 그리고 평가 모드(model.eval())에서, "
        "드롭아웃(dropout)을 끈 채로 측정하세요",
    "the accuracy over the 10 samples": "샘플 10개에 대한 정확도",
    # TEST mlp.split
    "see task mlp.split: torch.utils.data.random_split with a seeded torch.Generator":
        "과제 mlp.split 참고: 시드(seed)를 준 torch.Generator와 torch.utils.data.random_split",
    "train_val_split(numbers, 0.1, seed=0)": "train_val_split(numbers, 0.1, seed=0)",
    "the validation part": "검증(validation) 부분",
    "return torch.utils.data.Subset objects (random_split does)":
        "torch.utils.data.Subset 객체를 돌려주세요(random_split이 그렇게 합니다)",
    "the sizes (train, val)": "두 부분의 크기 (train, val)",
    "round(0.1 x 50) = 5 validation items": "round(0.1 x 50) = 검증 항목 5개",
    "the items of both parts together": "두 부분의 항목을 합친 것",
    "every item in exactly one part": "모든 항목이 정확히 한 부분에만 들어가야 합니다",
    "The validation part is the first or the last 5 items: choose them at random.":
        "검증 부분이 처음 5개 또는 마지막 5개 항목입니다: 무작위로 고르세요.",
    "train_val_split(numbers, 0.1, seed=0) again": "train_val_split(numbers, 0.1, seed=0), 다시 한 번",
    "train_val_split changed PyTorch's global random generator.":
        "train_val_split이 PyTorch의 전역 난수 생성기(global random generator)를 바꿨습니다.",
    "use a torch.Generator of your own, seeded with `seed`": "`seed`로 시드를 준 여러분만의 torch.Generator를 쓰세요",
    "the validation items of a second call with the same seed": "같은 시드로 다시 호출했을 때의 검증 항목",
    "seed a torch.Generator of your own with `seed`": "여러분만의 torch.Generator에 `seed`로 시드를 주세요",
    "seed=1 gives the same split as seed=0.": "seed=1이 seed=0과 같은 분할을 만듭니다.",
    "use the seed argument": "seed 인수를 사용하세요",
    "train_val_split(29 items, 0.3)": "train_val_split(항목 29개, 0.3)",
    "the validation size for 29 items and 0.3": "항목 29개와 0.3일 때의 검증 부분 크기",
    "0.3 x 29 = 8.7: round to the nearest whole number (9), int() would round down to 8":
        "0.3 x 29 = 8.7: 가장 가까운 정수(9)로 반올림하세요. int()는 8로 내림합니다",
    # TEST mlp.train_step
    "see task mlp.train_step: model.train(), then reset the gradients, the loss, backward(), step(); return a float":
        "과제 mlp.train_step 참고: model.train(), 그다음 기울기 초기화, 손실, backward(), step(); float을 돌려주세요",
    "train_step(net, x, y, loss_fn, optimizer)": "train_step(net, x, y, loss_fn, optimizer)",
    "The model was in evaluation mode during the step.": "학습 단계(step) 동안 모델이 평가 모드였습니다.",
    "call model.train() before the forward pass": "순전파 전에 model.train()을 호출하세요",
    "train_step(...)": "train_step(...)",
    "return the loss as a Python float (.item())": "손실을 파이썬 float으로 돌려주세요(.item())",
    "the loss train_step returned": "train_step이 돌려준 손실",
    "return the batch's loss": "그 배치의 손실을 돌려주세요",
    "The parameters did not change.": "파라미터가 바뀌지 않았습니다.",
    "after backward(), the optimizer's step() changes them":
        "backward() 다음에 옵티마이저(optimizer)의 step()이 파라미터를 바꿉니다",
    "the weights after one step": "한 단계 뒤의 가중치",
    "reset the gradients left over from earlier steps before backward(), then step()":
        "backward() 전에 이전 단계에서 남은 기울기를 초기화하고, 그다음 step()을 호출하세요",
    "the biases after one step": "한 단계 뒤의 편향",
    # ---- notebooks/05_notmnist_dataset_homework.ipynb
    # TEST hw05.download
    "see task 1: return at once when the file is there, else download to a temporary name and rename it":
        "과제 1 참고: 파일이 있으면 바로 돌려주고, 없으면 임시 이름으로 내려받은 뒤 이름을 바꾸세요",
    "download(url, target, 10240)": "download(url, target, 10240)",
    "the returned path": "돌려준 경로",
    "return `path`": "`path`를 돌려주세요",
    "download(url, target, 10240) did not create the file `target`.":
        "download(url, target, 10240)가 파일 `target`을 만들지 않았습니다.",
    "write the file where `path` says, creating its folder if needed (Path.mkdir(parents=True, exist_ok=True))":
        "`path`가 가리키는 곳에 파일을 쓰고, 필요하면 그 폴더를 만드세요(Path.mkdir(parents=True, exist_ok=True))",
    "The downloaded file differs from the original.": "내려받은 파일이 원본과 다릅니다.",
    "download(url, target, 10240) when target is already there": "download(url, target, 10240), target이 이미 있을 때",
    "when `path` exists with the expected size, return it without opening the URL":
        "`path`가 기대한 크기로 이미 있으면, URL을 열지 말고 바로 돌려주세요",
    "download(a 100-byte file, ..., expected_bytes=10240) returned without an error.":
        "download(100바이트 파일, ..., expected_bytes=10240)가 오류 없이 끝났습니다.",
    "compare the size of what arrived with expected_bytes and raise ValueError when they differ":
        "받은 파일의 크기를 expected_bytes와 비교하고, 다르면 ValueError를 내세요",
    "After a download of the wrong size, a file of that name exists: the next run would take it for complete.":
        "크기가 틀린 다운로드 뒤에 그 이름의 파일이 남아 있습니다: 다음 실행은 그것을 완성된 파일로 여길 것입니다.",
    "download to a temporary name and rename only a complete file":
        "임시 이름으로 내려받고, 완성된 파일만 이름을 바꾸세요",
    "the files in the download folder": "다운로드 폴더 안의 파일",
    "remove the temporary file of a download of the wrong size; nothing else stays":
        "크기가 틀린 다운로드의 임시 파일은 지우세요; 그 밖에는 아무것도 남지 않아야 합니다",
    "download(url, a path holding a file of the wrong size, 300)": "download(url, 크기가 틀린 파일이 있는 경로, 300)",
    "A file of the wrong size at `path` was kept instead of being downloaded again.":
        "`path`에 있던 크기가 틀린 파일을 다시 내려받지 않고 그대로 두었습니다.",
    "return at once only when the file there has expected_bytes bytes":
        "그곳의 파일이 expected_bytes 바이트일 때만 바로 돌려주세요",
    "download(url, path) without expected_bytes": "download(url, path), expected_bytes 없이",
    "expected_bytes=None means: do not check the size": "expected_bytes=None은 크기를 확인하지 말라는 뜻입니다",
    "the size of a download without expected_bytes": "expected_bytes 없이 내려받은 파일의 크기",
    "the files in its folder": "그 폴더 안의 파일",
    "no temporary file should be left behind": "임시 파일이 남아 있으면 안 됩니다",
    # TEST hw05.extract
    "see task 2: open the archive with tarfile and write every entry under `dest`":
        "과제 2 참고: tarfile로 압축 파일(archive)을 열고 모든 항목(entry)을 `dest` 아래에 쓰세요",
    "safe_extract(archive, dest)": "safe_extract(archive, dest)",
    "Your safe_extract calls the course's extract_archive: the task is to write the checks yourself.":
        "여러분의 safe_extract가 강의의 extract_archive를 호출합니다: 이 과제는 검사를 직접 쓰는 것입니다.",
    "the returned folder": "돌려준 폴더",
    "return `dest`": "`dest`를 돌려주세요",
    "After safe_extract(archive, dest) there is no folder dest/notMNIST_toy/A: the files went somewhere else.":
        "safe_extract(archive, dest) 뒤에 dest/notMNIST_toy/A 폴더가 없습니다: 파일이 다른 곳에 풀렸습니다.",
    "extract into the folder `dest` that the call passes (not the current folder, not a folder of your choice)":
        "호출이 넘겨준 폴더 `dest`에 압축을 푸세요(현재 폴더도, 여러분이 고른 폴더도 아닙니다)",
    "files extracted": "압축을 푼 파일",
    "raise ValueError for an entry that leads outside dest": "dest 밖으로 이어지는 항목에는 ValueError를 내세요",
    "safe_extract wrote the entry '../escaped.txt' outside `dest`.":
        "safe_extract가 항목 '../escaped.txt'를 `dest` 밖에 썼습니다.",
    "resolve where each entry would go and compare it with dest before writing anything":
        "아무것도 쓰기 전에, 항목마다 실제로 어디에 쓰일지 경로를 구해서(resolve) dest와 비교하세요",
    "safe_extract(an archive with the entry '../escaped.txt', dest) did not raise an error.":
        "safe_extract(항목 '../escaped.txt'가 든 압축 파일, dest)가 오류를 내지 않았습니다.",
    "raise ValueError when an entry would land outside dest": "항목이 dest 밖에 놓이게 되면 ValueError를 내세요",
    "safe_extract extracted a symbolic link pointing outside dest.":
        "safe_extract가 dest 밖을 가리키는 심볼릭 링크(symbolic link)를 풀어 놓았습니다.",
    "refuse links: check each member's kind": "링크는 거부하세요: 멤버(member)마다 종류를 확인하세요",
    "safe_extract(an archive with a symbolic link, dest) did not raise an error.":
        "safe_extract(심볼릭 링크가 든 압축 파일, dest)가 오류를 내지 않았습니다.",
    "raise ValueError for a member that is not a plain file or folder":
        "보통 파일이나 폴더가 아닌 멤버에는 ValueError를 내세요",
    "safe_extract wrote an entry with an absolute path outside dest.":
        "safe_extract가 절대 경로(absolute path)인 항목을 dest 밖에 썼습니다.",
    # TEST hw05.scan
    "scan_folders(toy.folder)": "scan_folders(toy.folder)",
    "see task 3: one (path, label) pair per .png file of the ten letter folders":
        "과제 3 참고: 열 개의 글자 폴더에 있는 .png 파일마다 (path, label) 쌍 하나",
    "scan_folders listed a macOS '._' file (its name ends in .png, but it holds no image).":
        "scan_folders가 macOS의 '._' 파일을 목록에 넣었습니다(이름은 .png로 끝나지만 이미지가 들어 있지 않습니다).",
    "leave out the files whose name starts with a dot": "이름이 점(.)으로 시작하는 파일은 빼세요",
    "number of pairs": "쌍의 개수",
    "one pair per .png file of the ten letter folders, bad files included (notes.txt is not a .png)":
        "열 개의 글자 폴더에 있는 .png 파일마다 쌍 하나, 불량 파일도 포함(notes.txt는 .png가 아닙니다)",
    "the first pair": "첫 번째 쌍",
    "each item is a (path, label) tuple": "각 항목은 (path, label) 튜플(tuple)입니다",
    "a path": "경로",
    "a label": "레이블",
    "labels per folder": "폴더별 레이블",
    "folder A has label 0, B label 1, ... J label 9": "폴더 A는 레이블 0, B는 레이블 1, ... J는 레이블 9",
    "the order of the pairs": "쌍의 순서",
    "sort by label, then by file name": "레이블 순으로, 그다음 파일 이름 순으로 정렬하세요",
    "check first that all ten letter folders exist": "먼저 열 개의 글자 폴더가 모두 있는지 확인하세요",
    # TEST hw05.bad
    "open the file in a with block, call image.load() inside it, and catch OSError (it covers both kinds of "
    "unreadable file)":
        "with 블록에서 파일을 열고, 그 안에서 image.load()를 호출하고, OSError를 잡으세요(OSError 하나로 읽을 수 "
        "없는 파일 두 종류를 모두 다룹니다)",
    "check_image(a good file)": "check_image(정상 파일)",
    "check_image(the empty file)": "check_image(빈 파일)",
    "return a reason string for a bad file": "불량 파일에는 이유를 담은 문자열을 돌려주세요",
    "Image.open reads only the header: force the decode with image.load(), inside the with block":
        "Image.open은 헤더(header)만 읽습니다: with 블록 안에서 image.load()로 디코딩을 강제하세요",
    "the reasons": "이유들",
    'use EMPTY, UNREADABLE and f"size {w}x{h}, expected 28x28" exactly':
        'EMPTY, UNREADABLE, f"size {w}x{h}, expected 28x28"을 정확히 그대로 쓰세요',
    "check_image(a 30 x 29 image)": "check_image(30 x 29 이미지)",
    "image.size is (width, height)": "image.size는 (너비, 높이)입니다",
    "find_bad_files(toy.pairs)": "find_bad_files(toy.pairs)",
    "see task 4": "과제 4 참고",
    "for each bad file, add one tuple: its path and check_image's reason":
        "불량 파일마다 튜플 하나를 추가하세요: 그 경로와 check_image의 이유",
    "number of good pairs": "정상 쌍의 개수",
    "the bad paths": "불량 파일의 경로",
    "good pairs keep their order": "정상 쌍(원래 순서 그대로)",
    # TEST hw05.load
    "load_image(a good toy file)": "load_image(작은 예제 폴더의 정상 파일)",
    "see task 5": "과제 5 참고",
    "load_image(...)": "load_image(...)",
    "add the channel dimension in front: [28, 28] -> [1, 28, 28]":
        "채널(channel) 차원을 앞에 추가하세요: [28, 28] -> [1, 28, 28]",
    "its dtype": "이미지의 자료형(dtype)",
    "convert with .float()": ".float()로 바꾸세요",
    "its pixels": "이미지의 픽셀 값",
    "divide the 0..255 values by 255 so they lie in [0, 1]": "0..255 값을 255로 나누어 [0, 1] 안에 들게 하세요",
    "convert the image to 8-bit grayscale ('L') first": "먼저 이미지를 8비트 흑백(grayscale, 'L')으로 바꾸세요",
    # TEST hw05.font
    "see task 6: base64-decode the name without .png, and return the name itself when that fails":
        "과제 6 참고: .png를 뗀 이름을 base64로 디코딩하고, 실패하면 그 이름 자체를 돌려주세요",
    "font_of('RnJlaWdodERpc3BCb29rSXRhbGljLnR0Zg==.png')": "font_of('RnJlaWdodERpc3BCb29rSXRhbGljLnR0Zg==.png')",
    "the fonts of the toy folder": "작은 예제 폴더의 글꼴(font)",
    "decode the standard base64 alphabet (with + and /)": "표준 base64 알파벳(+와 / 포함)으로 디코딩하세요",
    "font_of('not base64!.png')": "font_of('not base64!.png')",
    "a name that is not base64 is its own font: catch the ValueError and return the name without .png":
        "base64가 아닌 이름은 그 자체가 글꼴입니다: ValueError를 잡고 .png를 뗀 이름을 돌려주세요",
    "font_of('QXJp YWwudHRm.png') (a space inside)": "font_of('QXJp YWwudHRm.png') (중간에 공백)",
    "with validate=True, b64decode refuses the space; without it, it drops the space and decodes 'Arial.ttf'":
        "validate=True를 주면 b64decode가 공백을 거부하고, 주지 않으면 공백을 버린 채 'Arial.ttf'로 디코딩합니다",
    "font_of('S2FwcGE/Pi50dGY=.png') (with '/')": "font_of('S2FwcGE/Pi50dGY=.png') ('/' 포함)",
    "font_of('QXJp_YWwudHRm.png') (an underscore is not in the standard alphabet)":
        "font_of('QXJp_YWwudHRm.png') (밑줄은 표준 알파벳에 없습니다)",
    "with validate=True, b64decode refuses characters outside the alphabet":
        "validate=True를 주면 b64decode가 알파벳 밖의 문자를 거부합니다",
    "font_of('//79.png') (base64, but not UTF-8 text)": "font_of('//79.png') (base64이지만 UTF-8 텍스트는 아님)",
    "bytes that are not UTF-8 raise UnicodeDecodeError, a ValueError too":
        "UTF-8이 아닌 바이트는 UnicodeDecodeError를 내는데, 이것도 ValueError입니다",
    # TEST hw05.split
    "split_by_font(toy.good_pairs, 0.4)": "split_by_font(toy.good_pairs, 0.4)",
    "see task 7": "과제 7 참고",
    "split_by_font(...)": "split_by_font(...)",
    "return (train_pairs, test_pairs)": "(train_pairs, test_pairs)를 돌려주세요",
    "split_by_font(...)[0]": "split_by_font(...)[0]",
    "train + test sizes": "학습(train) + 테스트(test) 크기",
    "every pair goes to exactly one split": "모든 쌍은 정확히 한 분할에만 들어갑니다",
    "fonts in both splits": "두 분할 모두에 있는 글꼴",
    "number of test fonts (7 fonts, test_fraction 0.4)": "테스트 글꼴 수 (글꼴 7개, test_fraction 0.4)",
    "0.4 x 7 = 2.8 fonts: round to the nearest whole number (3), do not round down with int() (2)":
        "0.4 x 7 = 글꼴 2.8개: 가장 가까운 정수(3)로 반올림하세요. int()로 내림하지 마세요(2)",
    "test pairs keep their order": "테스트 쌍(원래 순서 그대로)",
    "the split of the reversed pairs": "순서를 뒤집은 쌍의 분할",
    "the same test fonts whatever the order of the pairs, and each list in the order of `pairs`":
        "쌍의 순서와 상관없이 같은 테스트 글꼴, 그리고 각 리스트는 `pairs`의 순서대로",
    "the test fonts (test_fraction 0.4)": "테스트 글꼴 (test_fraction 0.4)",
    "sort the fonts by the SHA-256 hex digest of their name and take the first ones":
        "글꼴을 이름의 SHA-256 16진수 다이제스트(hex digest) 순으로 정렬하고 앞쪽부터 고르세요",
    "split_by_font(pairs, 0.01)": "split_by_font(pairs, 0.01)",
    "the test fonts with test_fraction 0.01": "test_fraction 0.01일 때의 테스트 글꼴",
    "at least one test font": "테스트 글꼴은 적어도 하나",
    "split_by_font(pairs)": "split_by_font(pairs)",
    "the test fonts with the default test_fraction": "기본 test_fraction일 때의 테스트 글꼴",
    "train pairs keep their order": "학습 쌍(원래 순서 그대로)",
    # TEST hw05.dataset
    "NotMNISTDataset(toy.folder, split='train')": "NotMNISTDataset(toy.folder, split='train')",
    "see task 8: __init__ calls scan_folders, find_bad_files, split_by_font":
        "과제 8 참고: __init__은 scan_folders, find_bad_files, split_by_font를 호출합니다",
    "NotMNISTDataset(toy.folder, split='test')": "NotMNISTDataset(toy.folder, split='test')",
    "NotMNISTDataset(...)": "NotMNISTDataset(...)",
    "len(train) + len(test)": "len(train) + len(test)",
    "len(dataset)": "len(dataset)",
    "every good image is in exactly one split, and no bad one in any":
        "정상 이미지는 모두 정확히 한 분할에 들어가고, 불량 이미지는 어느 분할에도 들어가지 않습니다",
    "number of bad files reported": "보고된 불량 파일 수",
    "dataset[0]": "dataset[0]",
    "return (image, label) for the pair at index": "index 위치에 있는 쌍의 (image, label)을 돌려주세요",
    "return (image, label)": "(image, label)을 돌려주세요",
    "dataset[0][0]": "dataset[0][0]",
    "dataset[0][1]": "dataset[0][1]",
    "return the label as int(label)": "레이블을 int(label)로 돌려주세요",
    "dataset[0]'s image": "dataset[0]의 이미지",
    "dataset[len(dataset) - 1]": "dataset[len(dataset) - 1]",
    "the last item's image": "마지막 항목의 이미지",
    "the test split": "테스트 분할",
    "self.samples of split='test' is the second list of split_by_font(good pairs, test_fraction)":
        "split='test'의 self.samples는 split_by_font(정상 쌍, test_fraction)의 두 번째 리스트입니다",
    "the train split": "학습 분할",
    "NotMNISTDataset(toy.folder, split='all')": "NotMNISTDataset(toy.folder, split='all')",
    "the samples of split='all'": "split='all'의 샘플",
    "split='all' keeps every good pair": "split='all'은 정상 쌍을 모두 담습니다",
    "what __init__ looked at for three datasets": "데이터셋 세 개를 만들 때 __init__이 살펴본 것",
    "__init__ calls scan_folders, then find_bad_files, once each":
        "__init__은 scan_folders를, 그다음 find_bad_files를 한 번씩 호출합니다",
    "dataset[len(dataset)] did not raise IndexError (an index past the end).":
        "dataset[len(dataset)]가 IndexError를 내지 않았습니다(끝을 지난 인덱스입니다).",
    "index the list self.samples: a list raises IndexError by itself":
        "리스트 self.samples를 인덱싱하세요: 리스트는 스스로 IndexError를 냅니다",
    "items in one DataLoader pass": "DataLoader를 한 번 다 돌았을 때의 항목 수",
    "what len() and dataset[i] looked at": "len()과 dataset[i]가 살펴본 것",
    "look at the files once, in __init__": "파일은 __init__에서 한 번만 살펴보세요",
    "an item with a transform": "변환(transform)을 적용한 항목",
    "pass the image through self.transform when there is one": "self.transform이 있으면 이미지를 그것에 통과시키세요",
}
