"""Measuring reptrack against hand counts: the labels, the counting of labelled videos
(`reptrack eval`), other systems' keypoint sets, the counting charts."""
