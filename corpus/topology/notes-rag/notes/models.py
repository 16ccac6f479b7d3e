"""The two models of the notes assistant."""
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_ollama import ChatOllama

embedder = HuggingFaceEmbeddings(model_name="BAAI/bge-small-en-v1.5")


def chat_model(temperature=0.2):
    return ChatOllama(model="llama3.1", temperature=temperature)
