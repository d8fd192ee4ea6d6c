"""HTTP handlers for the added EKS operations, as methods of moto's ``EKSResponse``.

moto routes a REST request to the method named after the operation (found from the
method and URI in botocore's EKS model), parses parameters with the same model, and
serialises the returned ``ActionResult`` against the operation's output shape, so what
these methods return is checked against AWS's own service model on the way out.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.eks.responses import EKSResponse

from eksguard.testing.moto_eks import rules
from eksguard.testing.moto_eks.catalog import ADDONS, KUBERNETES_VERSIONS
from eksguard.testing.moto_eks.models import EksExtension

URL_PATHS = {
    "{0}/clusters/(?P<name>[^/]+)/access-entries$": "",
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)/access-policies/(?P<policyArn>.+)$": "",
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)/access-policies$": "",
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$": "",
    "{0}/access-policies$": "",
    "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations$": "",
    "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations/(?P<associationId>[^/]+)$": "",
    "{0}/clusters/(?P<name>[^/]+)/addons$": "",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$": "",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$": "",
    "{0}/addons/supported-versions$": "",
    "{0}/addons/configuration-schemas$": "",
    "{0}/clusters/(?P<name>[^/]+)/updates$": "",
    "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$": "",
    "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$": "",
}
"""moto URL patterns for the added operations (the handler is moto's dispatcher)."""

MAX_RESULTS = 100


class Handlers:
    """Mixed into ``EKSResponse``: one method per added operation."""

    eks_backend: Any
    _get_param: Any

    @property
    def _ext(self) -> EksExtension:
        return EksExtension(self.eks_backend)

    # -- access entries ------------------------------------------------------------------
    def create_access_entry(self) -> ActionResult:
        entry = self._ext.create_access_entry(
            self._get_param("name"), self._get_param("principalArn"),
            kubernetes_groups=self._get_param("kubernetesGroups"), username=self._get_param("username"),
            entry_type=self._get_param("type"), tags=self._get_param("tags"))
        return ActionResult({"accessEntry": entry})

    def describe_access_entry(self) -> ActionResult:
        return ActionResult({"accessEntry": self._ext.access_entry(self._get_param("name"),
                                                                   self._get_param("principalArn"))})

    def update_access_entry(self) -> ActionResult:
        entry = self._ext.update_access_entry(
            self._get_param("name"), self._get_param("principalArn"),
            kubernetes_groups=self._get_param("kubernetesGroups"), username=self._get_param("username"))
        return ActionResult({"accessEntry": entry})

    def delete_access_entry(self) -> ActionResult:
        self._ext.delete_access_entry(self._get_param("name"), self._get_param("principalArn"))
        return EmptyResult()

    def list_access_entries(self) -> ActionResult:
        names = self._ext.list_access_entries(self._get_param("name"), self._get_param("associatedPolicyArn"))
        return ActionResult({"accessEntries": names})

    def associate_access_policy(self) -> ActionResult:
        cluster, principal = self._get_param("name"), self._get_param("principalArn")
        association = self._ext.associate_access_policy(cluster, principal, self._get_param("policyArn"),
                                                        self._get_param("accessScope"))
        return ActionResult({"clusterName": cluster, "principalArn": principal,
                             "associatedAccessPolicy": association})

    def disassociate_access_policy(self) -> ActionResult:
        self._ext.disassociate_access_policy(self._get_param("name"), self._get_param("principalArn"),
                                             self._get_param("policyArn"))
        return EmptyResult()

    def list_associated_access_policies(self) -> ActionResult:
        cluster, principal = self._get_param("name"), self._get_param("principalArn")
        entry = self._ext.access_entry(cluster, principal)
        return ActionResult({"clusterName": cluster, "principalArn": principal,
                             "associatedAccessPolicies": list(entry.policies.values())})

    def list_access_policies(self) -> ActionResult:
        return ActionResult({"accessPolicies": self._ext.access_policies()})

    # -- Pod Identity ----------------------------------------------------------------
    def create_pod_identity_association(self) -> ActionResult:
        association = self._ext.create_pod_identity_association(
            self._get_param("name"), namespace=self._get_param("namespace"),
            service_account=self._get_param("serviceAccount"), role_arn=self._get_param("roleArn"),
            tags=self._get_param("tags"), disable_session_tags=self._get_param("disableSessionTags"),
            target_role_arn=self._get_param("targetRoleArn"))
        return ActionResult({"association": association})

    def describe_pod_identity_association(self) -> ActionResult:
        return ActionResult({"association": self._ext.pod_identity_association(
            self._get_param("name"), self._get_param("associationId"))})

    def update_pod_identity_association(self) -> ActionResult:
        association = self._ext.update_pod_identity_association(
            self._get_param("name"), self._get_param("associationId"), role_arn=self._get_param("roleArn"),
            disable_session_tags=self._get_param("disableSessionTags"),
            target_role_arn=self._get_param("targetRoleArn"))
        return ActionResult({"association": association})

    def delete_pod_identity_association(self) -> ActionResult:
        return ActionResult({"association": self._ext.delete_pod_identity_association(
            self._get_param("name"), self._get_param("associationId"))})

    def list_pod_identity_associations(self) -> ActionResult:
        found = self._ext.list_pod_identity_associations(
            self._get_param("name"), self._get_param("namespace"), self._get_param("serviceAccount"))
        return ActionResult({"associations": [
            {"clusterName": a.cluster_name, "namespace": a.namespace, "serviceAccount": a.service_account,
             "associationArn": a.association_arn, "associationId": a.association_id, "ownerArn": a.owner_arn}
            for a in found]})

    # -- add-ons ---------------------------------------------------------------------
    def create_addon(self) -> ActionResult:
        addon = self._ext.create_addon(
            self._get_param("name"), self._get_param("addonName"), addon_version=self._get_param("addonVersion"),
            service_account_role_arn=self._get_param("serviceAccountRoleArn"),
            configuration_values=self._get_param("configurationValues"), tags=self._get_param("tags"),
            pod_identity_associations=self._get_param("podIdentityAssociations"))
        return ActionResult({"addon": addon})

    def describe_addon(self) -> ActionResult:
        return ActionResult({"addon": self._ext.addon(self._get_param("name"), self._get_param("addonName"))})

    def update_addon(self) -> ActionResult:
        update = self._ext.update_addon(
            self._get_param("name"), self._get_param("addonName"), addon_version=self._get_param("addonVersion"),
            service_account_role_arn=self._get_param("serviceAccountRoleArn"),
            configuration_values=self._get_param("configurationValues"))
        return ActionResult({"update": update})

    def delete_addon(self) -> ActionResult:
        return ActionResult({"addon": self._ext.delete_addon(
            self._get_param("name"), self._get_param("addonName"), bool(self._get_param("preserve")))})

    def list_addons(self) -> ActionResult:
        return ActionResult({"addons": self._ext.list_addons(self._get_param("name"))})

    def describe_addon_versions(self) -> ActionResult:
        name, version = self._get_param("addonName"), self._get_param("kubernetesVersion")
        types = self._get_param("types") or []
        if version is not None and version not in KUBERNETES_VERSIONS:
            return ActionResult({"addons": []})
        addons = []
        for spec in ADDONS.values():
            if (name and spec.name != name) or (types and spec.type not in types):
                continue
            cluster_versions = [version] if version else list(KUBERNETES_VERSIONS)
            infos = []
            for addon_version in spec.all_versions():
                compatibilities = [
                    {"clusterVersion": cv, "platformVersions": ["*"],
                     "defaultVersion": spec.versions_for(cv)[:1] == (addon_version,)}
                    for cv in cluster_versions if addon_version in spec.versions_for(cv)]
                if compatibilities:
                    infos.append({"addonVersion": addon_version, "architecture": ["amd64", "arm64"],
                                  "computeTypes": ["ec2"], "compatibilities": compatibilities,
                                  "requiresConfiguration": False,
                                  "requiresIamPermissions": spec.service_account is not None})
            if infos:
                addons.append({"addonName": spec.name, "type": spec.type, "addonVersions": infos,
                               "publisher": "eks", "owner": "aws"})
        return ActionResult({"addons": addons})

    def describe_addon_configuration(self) -> ActionResult:
        name, version = self._get_param("addonName"), self._get_param("addonVersion")
        spec = ADDONS.get(name)
        if spec is None or version not in spec.all_versions():
            raise rules.not_found(f"No addon: {name} with version {version} found")
        identity = ([{"serviceAccount": spec.service_account.split("/")[1],
                      "recommendedManagedPolicies": list(spec.recommended_managed_policies)}]
                    if spec.service_account else [])
        return ActionResult({"addonName": name, "addonVersion": version,
                             "configurationSchema": '{"$schema":"http://json-schema.org/draft-07/schema#",'
                                                    '"type":"object","properties":{}}',
                             "podIdentityConfiguration": identity})

    # -- updates ---------------------------------------------------------------------
    def describe_update(self) -> ActionResult:
        return ActionResult({"update": self._ext.describe_update(
            self._get_param("name"), self._get_param("updateId"), self._get_param("nodegroupName"),
            self._get_param("addonName"))})

    def list_updates(self) -> ActionResult:
        return ActionResult({"updateIds": self._ext.list_updates(
            self._get_param("name"), self._get_param("nodegroupName"), self._get_param("addonName"))})


def install() -> None:
    """Add the handlers to ``EKSResponse`` and their URL patterns to moto's EKS routes."""
    from moto.eks import urls

    for name, member in vars(Handlers).items():
        if not name.startswith("__") and name not in ("eks_backend", "_get_param"):
            setattr(EKSResponse, name, member)
    for pattern in URL_PATHS:
        urls.url_paths.setdefault(pattern, urls.response.dispatch)
