"""TensorFlow models: the scene classifier and two exported models.

The scene classifier is a MobileNetV2 backbone with our own head; the fine-
tuned weights of the whole network are committed as weights/best.h5.  The
segmenter is an exported SavedModel and the edge build of the classifier a
quantised TFLite file.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

IMG_SIZE = (224, 224)
SCENES = ["indoor", "street", "nature", "document", "other"]


def build_classifier(num_classes: int = len(SCENES)) -> tf.keras.Model:
    base = tf.keras.applications.MobileNetV2(input_shape=IMG_SIZE + (3,), include_top=False, weights="imagenet")
    base.trainable = False
    inputs = tf.keras.Input(shape=IMG_SIZE + (3,))
    x = tf.keras.applications.mobilenet_v2.preprocess_input(inputs)
    x = base(x, training=False)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dropout(0.2)(x)
    outputs = tf.keras.layers.Dense(num_classes, activation="softmax")(x)
    return tf.keras.Model(inputs, outputs, name="scene_classifier")


def untrained_baseline(num_classes: int = len(SCENES)) -> tf.keras.Model:
    """Random-init ResNet50 used as a sanity baseline in experiments."""
    return tf.keras.applications.ResNet50(weights=None, classes=num_classes)


def load_classifier() -> tf.keras.Model:
    model = build_classifier()
    model.load_weights("weights/best.h5")
    return model


def checkpoint(model: tf.keras.Model, epoch: int) -> None:
    model.save_weights(f"weights/epoch_{epoch:03d}.h5")


def classify(model: tf.keras.Model, image: np.ndarray) -> tuple[str, float]:
    x = tf.image.resize(image[None, ...], IMG_SIZE)
    probs = model.predict(x, verbose=0)[0]
    i = int(np.argmax(probs))
    return SCENES[i], float(probs[i])


class Segmenter:
    def __init__(self) -> None:
        self.module = tf.saved_model.load("exports/segmenter/1")
        self.infer = self.module.signatures["serving_default"]

    def masks(self, image: np.ndarray) -> np.ndarray:
        x = tf.convert_to_tensor(image[None, ...], dtype=tf.uint8)
        out = self.infer(x)
        return next(iter(out.values())).numpy()[0]


class EdgeClassifier:
    def __init__(self) -> None:
        self.interpreter = tf.lite.Interpreter(model_path="models/scene_int8.tflite")
        self.interpreter.allocate_tensors()
        self.inp = self.interpreter.get_input_details()[0]
        self.out = self.interpreter.get_output_details()[0]

    def classify(self, image: np.ndarray) -> tuple[str, float]:
        x = tf.image.resize(image[None, ...], IMG_SIZE).numpy()
        scale, zero = self.inp["quantization"]
        self.interpreter.set_tensor(self.inp["index"], (x / scale + zero).astype(self.inp["dtype"]))
        self.interpreter.invoke()
        probs = self.interpreter.get_tensor(self.out["index"])[0].astype(np.float32)
        i = int(np.argmax(probs))
        return SCENES[i], float(probs[i] / max(probs.sum(), 1e-6))
