"""Reading the characters on a cropped number plate."""
import easyocr

reader = easyocr.Reader(["en"], gpu=False)


def plate_text(crop):
    best = ""
    for _box, text, conf in reader.readtext(crop):
        if conf > 0.4 and len(text) > len(best):
            best = text.upper().replace(" ", "")
    return best
