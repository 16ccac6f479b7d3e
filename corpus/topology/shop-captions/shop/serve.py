"""Caption the products found in a shelf photo."""
import sys

from PIL import Image

from shop.engine import get_engine


def captions(path):
    engine = get_engine()
    detector = engine.detector
    photo = Image.open(path)
    boxes = detector(photo)[0].boxes.xyxy.tolist()
    request = {"max_new_tokens": 20}
    request["images"] = [photo.crop(tuple(b)) for b in boxes]
    return engine.captioner(**request)


def count(path):
    # the detector alone: no second model
    return len(get_engine().detector(Image.open(path))[0].boxes)


if __name__ == "__main__":
    print(captions(sys.argv[1]), count(sys.argv[1]))
