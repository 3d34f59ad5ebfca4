// glibc's mallopt and its parameters (Platform/HeapPolicy.swift).
#include <malloc.h>
