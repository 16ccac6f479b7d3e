"""Object and face detection.

YOLOv8 finds general objects.  Faces come from an ONNX detector run through
OpenCV's DNN module when one is configured, else from the classic Haar
cascade (CPU only, no extra dependencies).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np
from ultralytics import YOLO

log = logging.getLogger(__name__)

CASCADE_PATH = "models/haarcascade_frontalface_default.xml"


@dataclass
class Box:
    x1: int
    y1: int
    x2: int
    y2: int
    score: float
    label: str

    def crop(self, image: np.ndarray) -> np.ndarray:
        return image[self.y1:self.y2, self.x1:self.x2]


class ObjectDetector:
    def __init__(self, conf: float = 0.25) -> None:
        # self.model = YOLO("yolov8x.pt")  # better recall, ten times slower
        self.model = YOLO("yolov8n.pt")
        self.conf = conf

    def detect(self, image: np.ndarray) -> list[Box]:
        result = self.model.predict(image, conf=self.conf, verbose=False)[0]
        names = result.names
        boxes = []
        for xyxy, score, cls in zip(result.boxes.xyxy.tolist(), result.boxes.conf.tolist(), result.boxes.cls.tolist()):
            x1, y1, x2, y2 = (int(v) for v in xyxy)
            boxes.append(Box(x1, y1, x2, y2, float(score), names[int(cls)]))
        return boxes


class FaceDetector:
    def __init__(self, onnx_path: str | None = None, size: tuple[int, int] = (320, 320)) -> None:
        self.size = size
        self.net = None
        self.cascade = None
        if onnx_path:
            self.net = cv2.dnn.readNetFromONNX(onnx_path)
        else:
            self.cascade = cv2.CascadeClassifier(CASCADE_PATH)
        log.info("face detector: %s", "onnx" if self.net is not None else "haar")

    def _detect_dnn(self, image: np.ndarray, threshold: float) -> list[Box]:
        h, w = image.shape[:2]
        blob = cv2.dnn.blobFromImage(image, 1 / 255.0, self.size, swapRB=True)
        self.net.setInput(blob)
        out = self.net.forward()[0]
        boxes = []
        for row in out:
            score = float(row[4])
            if score < threshold:
                continue
            cx, cy, bw, bh = row[:4] * np.array([w / self.size[0], h / self.size[1]] * 2)
            boxes.append(Box(int(cx - bw / 2), int(cy - bh / 2), int(cx + bw / 2), int(cy + bh / 2), score, "face"))
        return boxes

    def detect(self, image: np.ndarray, threshold: float = 0.6) -> list[Box]:
        if self.net is not None:
            return self._detect_dnn(image, threshold)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        found = self.cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)
        return [Box(x, y, x + w, y + h, 1.0, "face") for (x, y, w, h) in found]
