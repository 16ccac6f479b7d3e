"""The models of the shop, loaded once per process."""
from transformers import pipeline
from ultralytics import YOLO


class Engine:
    def __init__(self):
        self.detector = None
        self.captioner = None

    def warm_up(self):
        self.detector = YOLO("yolov8n.pt")
        self.captioner = pipeline("image-to-text", model="Salesforce/blip-image-captioning-base")


def get_engine():
    if not hasattr(get_engine, "_shared"):
        get_engine._shared = Engine()
        get_engine._shared.warm_up()
    return get_engine._shared
