build/pipeline/hash.o: pipeline/hash.c pipeline/hash.h
pipeline/hash.h:
