"""Sweeps on a Dask cluster give exactly the local results."""

from __future__ import annotations

import dask.distributed as distributed
import numpy as np
import pytest

import ropebound as rb


@pytest.fixture(scope="module")
def executor():  # type: ignore[no-untyped-def]
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()


def test_sweep_on_dask_equals_local(executor) -> None:  # type: ignore[no-untyped-def]
    local = rb.sweep_min_base([512, 1024, 2048], [32, 64])
    remote = rb.sweep_min_base([512, 1024, 2048], [32, 64], executor=executor)
    for key in local:
        np.testing.assert_array_equal(local[key], remote[key])


def test_max_context_batch_on_dask_equals_local(executor) -> None:  # type: ignore[no-untyped-def]
    bases = np.geomspace(10.0, 1e7, 37)
    local = rb.max_context(bases, 64, limit=10**6)
    remote = rb.max_context(bases, 64, limit=10**6, executor=executor, chunk_size=5)
    np.testing.assert_array_equal(local, remote)
