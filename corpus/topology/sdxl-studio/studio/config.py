"""Settings of the studio, kept in one namespace."""
from types import SimpleNamespace

from diffusers import StableDiffusionXLImg2ImgPipeline, StableDiffusionXLPipeline

Config = SimpleNamespace(
    REFINER_MODEL="stabilityai/stable-diffusion-xl-refiner-1.0",
    SINGLE_FILE_MODELS=["cyberdelia/CyberRealsticXL"],
    PIPELINES={
        "txt2img": StableDiffusionXLPipeline,
        "img2img": StableDiffusionXLImg2ImgPipeline,
    },
)
