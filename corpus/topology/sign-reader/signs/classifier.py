"""Hand-sign classifier over pose keypoints, exported to ONNX."""
import numpy as np
import onnxruntime as ort

LABELS = ["open", "fist", "point", "ok"]


class SignClassifier:
    def __init__(self, path="weights/signs.onnx"):
        self.session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, keypoints):
        x = np.asarray(keypoints, dtype=np.float32).reshape(1, -1)
        scores = self.session.run(None, {self.input_name: x})[0][0]
        return LABELS[int(np.argmax(scores))]
