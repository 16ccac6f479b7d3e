"""Watch the gate camera: count vehicles, read the plates that come close."""
import csv
import sys

import cv2
from ultralytics import YOLO

from gatecam.ocr import plate_text

vehicles = YOLO("yolov8n.pt")
plates = YOLO("weights/plates.pt")


def watch(video, out_csv):
    cap = cv2.VideoCapture(video)
    rows = []
    frame_no = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frame_no += 1
        cars = 0
        for det in vehicles(frame)[0].boxes.data.tolist():
            x1, y1, x2, y2, score, cls = det
            if int(cls) in (2, 3, 5, 7) and score > 0.5:
                cars += 1
        for det in plates(frame)[0].boxes.data.tolist():
            x1, y1, x2, y2, score, cls = det
            crop = frame[int(y1) : int(y2), int(x1) : int(x2)]
            grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
            rows.append((frame_no, cars, plate_text(grey)))
    with open(out_csv, "w", newline="") as f:
        csv.writer(f).writerows(rows)


if __name__ == "__main__":
    watch(sys.argv[1], sys.argv[2])
