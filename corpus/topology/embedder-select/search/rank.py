import sys

from sentence_transformers import CrossEncoder

from search.embedders import pick_encoder

scorer = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")


def main():
    encoder = pick_encoder(sys.argv[1])
    docs = sys.argv[2:]
    vectors = encoder.embed(docs)
    print(len(vectors))
    print(scorer.predict([("query", d) for d in docs]))


if __name__ == "__main__":
    main()
