"""Video in and out: the frame sources (camera, file, stream), the drawing of a pose on a
frame, the preview window and the recording."""
