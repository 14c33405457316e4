"""The Kubernetes manifests give every container what the production settings require, and keep the
rules the compose stack keeps. Their schemas are checked by kubernetes-validate in `make lint`."""

import json
from pathlib import Path

import pytest
import yaml

from tests.test_settings import run_settings

from .conftest import MAX_BODY, ROOT

K8S = ROOT / "deploy" / "kubernetes"
APP_COMPONENTS = {"web", "worker", "worker-protocollo", "beat", "migrate"}


def documents(folder: Path) -> list[dict]:
    return [
        doc for path in sorted(folder.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc
    ]


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return documents(K8S / "base")


def find(docs: list[dict], kind: str, name: str) -> dict:
    return next(doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name)


def pod_specs(docs: list[dict]) -> dict[str, dict]:
    """component -> pod spec of the app's Deployments and the migration Job."""
    return {
        doc["metadata"]["labels"]["app.kubernetes.io/component"]: doc["spec"]["template"]["spec"]
        for doc in docs
        if doc["kind"] in {"Deployment", "Job"}
        and doc["metadata"]["labels"]["app.kubernetes.io/component"] in APP_COMPONENTS
    }


def container_env(container: dict, docs: list[dict]) -> dict[str, str]:
    """The environment Kubernetes gives the container, with the example secrets' values."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= find(docs, "ConfigMap", source["configMapRef"]["name"])["data"]
        else:
            env |= find(docs, "Secret", source["secretRef"]["name"])["stringData"]
    for variable in container.get("env", []):
        ref = variable["valueFrom"]["secretKeyRef"]
        env[variable["name"]] = find(docs, "Secret", ref["name"])["stringData"][ref["key"]]
    return env


def test_every_app_container_gets_what_the_production_settings_require(base):
    specs = pod_specs(base)
    assert set(specs) == APP_COMPONENTS
    environments: dict[str, list[str]] = {}  # one settings start per distinct environment
    for component, spec in specs.items():
        for container in spec.get("initContainers", []) + spec["containers"]:
            env = container_env(container, base)
            environments.setdefault(json.dumps(env, sort_keys=True), []).append(
                f"{component}/{container['name']}"
            )
    for env_json, containers in environments.items():
        env = json.loads(env_json)
        assert env["AMINDER_MODE"] == "production"
        result = run_settings(**env)
        assert result.returncode == 0, f"{containers}: {result.stderr[-500:]}"
        probe = json.loads(result.stdout.strip().splitlines()[-1])
        assert probe["engine"] == "django.db.backends.postgresql"
        assert probe["eager"] is False
        assert probe["debug"] is False


def test_containers_run_unprivileged_on_a_read_only_root_with_resources(base):
    for component, spec in pod_specs(base).items():
        assert spec["securityContext"]["runAsNonRoot"] is True, component
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, component
            assert context["allowPrivilegeEscalation"] is False, component
            assert container["resources"]["requests"]["cpu"], component
            assert container["resources"]["limits"]["memory"], component


def test_web_probes_hit_the_health_endpoints_with_an_allowed_host(base):
    web = pod_specs(base)["web"]["containers"][0]
    allowed = find(base, "ConfigMap", "aminder-config")["data"]["DJANGO_ALLOWED_HOSTS"].split(",")
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        http = web[probe]["httpGet"]
        paths[probe] = http["path"]
        assert http["httpHeaders"] == [{"name": "Host", "value": allowed[0]}]
    assert paths == {
        "startupProbe": "/health/live/",
        "livenessProbe": "/health/live/",
        "readinessProbe": "/health/ready/",
    }


def test_web_and_worker_scale_beat_stays_alone_and_everyone_waits_for_the_migrations(base):
    targets = {
        doc["spec"]["scaleTargetRef"]["name"] for doc in base if doc["kind"] == "HorizontalPodAutoscaler"
    }
    assert targets == {"aminder-web", "aminder-worker"}
    beat = find(base, "Deployment", "aminder-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    budgets = {doc["metadata"]["name"] for doc in base if doc["kind"] == "PodDisruptionBudget"}
    assert budgets == {"aminder-web", "aminder-worker", "aminder-worker-protocollo", "aminder-beat"}
    for component in ("web", "worker", "worker-protocollo", "beat"):
        init = pod_specs(base)[component]["initContainers"][0]
        assert "migrate --check" in init["command"][-1]


def test_the_ingress_keeps_the_body_limit_and_the_cns_header_of_the_compose_nginx(base):
    ingresses = [doc for doc in documents(K8S / "overlays" / "production") if doc["kind"] == "Ingress"]
    assert {doc["metadata"]["name"] for doc in ingresses} == {
        "aminder",
        "aminder-accesso",
        "aminder-verifica",
    }
    for ingress in ingresses:
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == MAX_BODY
        assert annotations["nginx.ingress.kubernetes.io/auth-tls-verify-client"] == "optional"
        assert annotations["nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream"] == "true"
    # ingress-nginx forwards the verified certificate in `ssl-client-cert`.
    assert find(base, "ConfigMap", "aminder-config")["data"]["CNS_CERT_HEADER"] == "HTTP_SSL_CLIENT_CERT"


def test_kustomizations_name_files_and_objects_that_exist(base):
    for folder in (K8S / "base", K8S / "overlays" / "production"):
        kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
        for resource in kustomization["resources"]:
            assert (folder / resource).exists(), resource
    overlay = yaml.safe_load((K8S / "overlays" / "production" / "kustomization.yaml").read_text())
    for patch in overlay["patches"]:
        find(base, patch["target"]["kind"], patch["target"]["name"])


def test_every_queue_has_a_worker_and_numbering_has_one_of_its_own(base):
    from aminder.settings import CELERY_TASK_ROUTES

    queues = {route["queue"] for route in CELERY_TASK_ROUTES.values()} | {"celery"}
    consumed: dict[str, set[str]] = {}
    for component, spec in pod_specs(base).items():
        args = spec["containers"][0].get("args", [])
        if "worker" in args:
            consumed[component] = set(args[args.index("-Q") + 1].split(","))
    assert set().union(*consumed.values()) == queues
    assert consumed["worker-protocollo"] == {"protocollo"}
    assert "protocollo" not in consumed["worker"]
