#!/usr/bin/env python3
"""The peer of the `model` benchmark suite: the same work done by Python's json module with the
official Kubernetes client's deserialiser and serialiser, and by PyYAML.

    model_peer.py METRIC FILE ITERATIONS

prints one JSON object: {"metric": ..., "samples_ns": [...]} with one wall-clock sample per iteration.
METRIC is one of decode_pod_list_json, encode_pod_list_json, decode_pod_list_yaml.
"""
import json
import sys
import time

import yaml
from kubernetes.client import ApiClient


def main() -> None:
    metric, path, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as handle:
        raw = handle.read()
    client = ApiClient()
    deserialize = client._ApiClient__deserialize  # the client's own dict -> model path
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    samples = []
    if metric == "decode_pod_list_json":
        for _ in range(iterations):
            start = time.perf_counter_ns()
            deserialize(json.loads(raw), "V1PodList")
            samples.append(time.perf_counter_ns() - start)
    elif metric == "encode_pod_list_json":
        pods = deserialize(json.loads(raw), "V1PodList")
        for _ in range(iterations):
            start = time.perf_counter_ns()
            json.dumps(client.sanitize_for_serialization(pods), separators=(",", ":")).encode()
            samples.append(time.perf_counter_ns() - start)
    elif metric == "decode_pod_list_yaml":
        text = raw.decode()
        for _ in range(iterations):
            start = time.perf_counter_ns()
            deserialize(yaml.load(text, Loader=loader), "V1PodList")
            samples.append(time.perf_counter_ns() - start)
    else:
        sys.exit(f"model_peer.py: unknown metric {metric}")
    json.dump({"metric": metric, "samples_ns": samples}, sys.stdout)


if __name__ == "__main__":
    main()
