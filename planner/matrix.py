"""Travel between points: straight-line metres in the local UTM zone times a detour factor."""

from __future__ import annotations

from typing import Mapping

import numpy as np


def distance_matrix_m(xy_m: np.ndarray) -> np.ndarray:
    """Whole metres between every pair of projected points (n×2 array in metres)."""
    xy = np.asarray(xy_m, dtype=float)
    diff = xy[:, None, :] - xy[None, :, :]
    return np.rint(np.hypot(diff[..., 0], diff[..., 1])).astype(np.int64)


def start_legs_m(xy_m: np.ndarray, starts: int) -> np.ndarray:
    """:func:`distance_matrix_m` between the first ``starts`` points and every point, 0 between two others.

    The same whole metres where filled; an n×n matrix for a screen that reads only those legs.
    """
    xy = np.asarray(xy_m, dtype=float)
    legs = np.rint(np.hypot(xy[:starts, None, 0] - xy[None, :, 0], xy[:starts, None, 1] - xy[None, :, 1]))
    out = np.zeros((len(xy), len(xy)), dtype=np.int64)
    out[:starts] = legs.astype(np.int64)
    out[:, :starts] = out[:starts].T
    return out


def travel_matrices_s(
    dist_m: np.ndarray, *, detour_factor: float, speed_m_s: Mapping[str, float]
) -> dict[str, np.ndarray]:
    """Whole seconds of travel per mode: ``ceil(metres × detour / speed)``."""
    return {
        mode: np.ceil(dist_m * detour_factor / speed).astype(np.int64)
        for mode, speed in speed_m_s.items()
    }


def network_metres(dist_m: np.ndarray, *, detour_factor: float) -> np.ndarray:
    """Metres along the street network as the planner assumes them (straight line × detour)."""
    return np.rint(dist_m * detour_factor).astype(np.int64)
