import math

import cv2
import numpy as np

from reptrack.pose.geometry import (
    Detection,
    Letterbox,
    Rect,
    crop,
    crop_matrix,
    decode_detections,
    project,
    rect_from_points,
    refine_from_heatmap,
    ssd_anchors,
    weighted_nms,
)


def test_anchor_layout_matches_the_detector_output():
    anchors = ssd_anchors()
    assert anchors.shape == (2254, 2)
    # First grid: 28×28 cells of stride 8, two anchors per cell, row-major.
    assert np.allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    assert np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[2], [1.5 / 28, 0.5 / 28])
    # Last grid: 7×7 cells of stride 32 shared by three layers = six anchors per cell.
    assert np.allclose(anchors[-1], [6.5 / 7, 6.5 / 7])
    assert np.allclose(anchors[-6:], anchors[-1])


def test_decoding_offsets_boxes_and_keypoints_from_their_anchor():
    anchors = np.array([[0.25, 0.5], [0.75, 0.5]], dtype=np.float32)
    raw = np.zeros((1, 2, 12), dtype=np.float32)
    raw[0, 1, :4] = [22.4, -22.4, 44.8, 22.4]  # dx=+0.1, dy=-0.1, w=0.2, h=0.1 of 224
    raw[0, 1, 4:6] = [0, 11.2]
    scores = np.array([[[-5.0], [5.0]]], dtype=np.float32)
    dets = decode_detections(raw, scores, anchors, input_size=224, min_score=0.5)
    assert len(dets) == 1
    d = dets[0]
    assert math.isclose(d.score, 1 / (1 + math.exp(-5)), rel_tol=1e-6)
    assert np.allclose(d.box, [0.75, 0.35, 0.95, 0.45], atol=1e-6)
    assert np.allclose(d.keypoints[0], [0.75, 0.55], atol=1e-6)


def test_weighted_nms_merges_overlaps_and_keeps_separate_people():
    kp = np.zeros((4, 2))
    a = Detection(0.9, np.array([0.0, 0.0, 0.4, 0.4]), kp)
    b = Detection(0.6, np.array([0.04, 0.0, 0.44, 0.4]), kp + 1)
    far = Detection(0.8, np.array([0.6, 0.6, 0.9, 0.9]), kp)
    merged = weighted_nms([b, far, a], iou_threshold=0.3)
    assert [round(m.score, 2) for m in merged] == [0.9, 0.8]
    assert np.isclose(merged[0].box[0], (0.9 * 0.0 + 0.6 * 0.04) / 1.5)
    assert np.allclose(merged[0].keypoints, 0.6 / 1.5)


def test_letterbox_removal_undoes_the_padding():
    lb = Letterbox.for_size(640, 360)
    assert lb.pad_x == 0 and math.isclose(lb.pad_y, (1 - 360 / 640) / 2)
    padded = np.array([[0.5, lb.pad_y], [1.0, 1 - lb.pad_y]])
    assert np.allclose(lb.remove(padded), [[0.5, 0.0], [1.0, 1.0]])


def test_region_of_an_upright_body_is_square_and_unrotated():
    rect = rect_from_points(np.array([0.5, 0.6]), np.array([0.5, 0.4]), (400, 200))
    assert math.isclose(rect.rotation, 0.0, abs_tol=1e-9)
    side_px = 2 * 0.2 * 200 * 1.25
    assert math.isclose(rect.width * 400, side_px) and math.isclose(rect.height * 200, side_px)
    tilted = rect_from_points(np.array([0.5, 0.5]), np.array([0.6, 0.5]), (100, 100))
    assert math.isclose(tilted.rotation, math.pi / 2)


def test_crop_then_project_returns_a_marked_point_to_where_it_was():
    frame = np.zeros((300, 400, 3), np.uint8)
    cv2.circle(frame, (250, 120), 3, (255, 255, 255), -1)
    rect = Rect(0.55, 0.45, 0.5, 0.5 * 400 / 300, rotation=0.4)
    patch = crop(frame, rect, 128)
    ys, xs = np.nonzero(patch[..., 0] > 128)
    local = np.array([[xs.mean() / 128, ys.mean() / 128, 0.0]])
    back = project(local, rect)[0]
    assert abs(back[0] * 400 - 250) < 1.5 and abs(back[1] * 300 - 120) < 1.5


def test_heatmap_refinement_moves_points_to_the_confident_centre():
    heat = np.full((64, 64, 2), -10.0, np.float32)
    heat[20, 30, 0] = 10.0  # a sharp peak for point 0 only
    points = np.array([[31 / 64, 21 / 64], [10 / 64, 10 / 64]])
    out = refine_from_heatmap(points, heat)
    assert np.allclose(out[0], [30 / 64, 20 / 64], atol=0.002)
    assert np.allclose(out[1], points[1])  # nothing confident nearby: unchanged


def test_heatmap_refinement_looks_four_cells_around_the_point():
    # MediaPipe 0.10.21 refines within a 9×9 window: a peak 4 cells off is still found,
    # one 5 cells off is not.
    heat = np.full((64, 64, 2), -10.0, np.float32)
    heat[20, 34, 0] = 10.0
    heat[20, 35, 1] = 10.0
    points = np.array([[30.5 / 64, 20.5 / 64], [30.5 / 64, 20.5 / 64]])
    out = refine_from_heatmap(points, heat)
    assert np.allclose(out[0], [34 / 64, 20 / 64], atol=0.002)
    assert np.allclose(out[1], points[1])


def test_crop_matrix_maps_the_region_corners_to_the_patch_corners():
    rect = Rect(0.4, 0.6, 0.7, 0.7 * 640 / 360, rotation=2.5)
    matrix = crop_matrix(rect, (640, 360), 256)
    corners = cv2.boxPoints(((0.4 * 640, 0.6 * 360), (0.7 * 640, 0.7 * 640), math.degrees(2.5)))
    mapped = cv2.perspectiveTransform(corners[None].astype(np.float64), matrix)[0]
    assert np.allclose(mapped, [[0, 256], [0, 0], [256, 0], [256, 256]], atol=1e-3)
