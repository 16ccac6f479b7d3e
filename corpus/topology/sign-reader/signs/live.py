"""Webcam loop: pose keypoints from YOLO, then the sign classifier."""
import cv2
from ultralytics import YOLO

from signs import SignClassifier

pose = YOLO("yolov8n-pose.pt")
classify = SignClassifier()


def run(camera=0):
    cap = cv2.VideoCapture(camera)
    while cap.isOpened():
        ok, frame = cap.read()
        if not ok:
            break
        result = pose(frame, verbose=False)[0]
        for person in result.keypoints.xy:
            label = classify(person[9:11])
            cv2.putText(frame, label, (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1, (0, 255, 0), 2)
        cv2.imshow("signs", frame)
        if cv2.waitKey(1) == 27:
            break
    cap.release()


if __name__ == "__main__":
    run()
