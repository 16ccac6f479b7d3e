"""Loads the base pipeline the user picked and the shared refiner."""
from studio.config import Config


class Studio:
    def __init__(self):
        self.base = None
        self.refiner = None

    def load_base(self, kind, model):
        Pipeline = Config.PIPELINES[kind]
        if model in Config.SINGLE_FILE_MODELS:
            self.base = Pipeline.from_single_file(f"https://huggingface.co/{model}/model.safetensors")
        else:
            self.base = Pipeline.from_pretrained(model)

    def load_refiner(self):
        Refiner = Config.PIPELINES["img2img"]
        self.refiner = Refiner.from_pretrained(Config.REFINER_MODEL, variant="fp16")

    def paint(self, prompt, refine=True):
        image = self.base(prompt=prompt, output_type="latent").images[0]
        if refine:
            image = self.refiner(prompt=prompt, image=image).images[0]
        return image
