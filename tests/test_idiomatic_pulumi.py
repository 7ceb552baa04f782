"""Idiomatic Pulumi runs on the local engine as the Pulumi engine would take it (issue 16).

- a resource passed where its id is expected: the engine sends a provider that takes
  no resource references the referenced resource's id;
- policies given as dicts (pulumi-aws 7 types them ``str | PolicyDocumentArgs``): the
  provider stores and returns the JSON string;
- AWS-managed policies exist, as they do in every account;
- a provider's ``default_tags`` (and stack config ``aws:defaultTags``) tag every taggable
  resource that provider creates, under the resource's own tags, as ``tags_all`` does.
"""

from __future__ import annotations

import json

PROGRAM = """
    import pulumi
    import pulumi_aws as aws

    role = aws.iam.Role(
        "worker",
        assume_role_policy={
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }],
        },
    )
    policy = aws.iam.Policy(
        "read",
        policy={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
            ],
        },
    )
    aws.iam.RolePolicyAttachment("read", role=role, policy_arn=policy.arn)
    aws.iam.RolePolicyAttachment(
        "readonly", role=role, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    pulumi.export("roleName", role.name)
    pulumi.export("trust", role.assume_role_policy)
"""


def test_resources_as_ids_dict_policies_and_aws_managed_policies(pulumi_project, aws_client):
    engine = pulumi_project(PROGRAM)
    state = engine.up()
    iam = aws_client("iam")
    role = state.outputs["roleName"]
    # The program saw the provider's JSON string, not the dict it passed.
    assert json.loads(state.outputs["trust"])["Statement"][0]["Action"] == "sts:AssumeRole"
    attached = {
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    }
    assert attached == {state.named("read").id, "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert not engine.preview().pending, "a second preview wants no changes"
    engine.destroy()
    assert role not in {r["RoleName"] for r in iam.list_roles()["Roles"]}


DEFAULT_TAGS = """
    import pulumi
    import pulumi_aws as aws

    tagged = aws.Provider(
        "tagged", region="us-east-1", default_tags={"tags": {"team": "data", "env": "dev"}}
    )
    own = aws.sqs.Queue("own", tags={"env": "prod"}, opts=pulumi.ResourceOptions(provider=tagged))
    bare = aws.sqs.Queue("bare", opts=pulumi.ResourceOptions(provider=tagged))
    default = aws.sqs.Queue("default")
    pulumi.export("own", own.url)
    pulumi.export("bare", bare.url)
    pulumi.export("default", default.url)
    pulumi.export("ownTagsAll", own.tags_all)
"""


def test_default_tags_of_a_provider_and_of_the_stack_config_tag_what_it_creates(
    pulumi_project, aws_client
):
    engine = pulumi_project(DEFAULT_TAGS)
    engine.spec.config["aws:defaultTags"] = {"tags": {"owner": "stack"}}
    state = engine.up()
    sqs = aws_client("sqs")

    def tags(export: str) -> dict:
        return sqs.list_queue_tags(QueueUrl=state.outputs[export]).get("Tags", {})

    assert tags("own") == {"team": "data", "env": "prod"}  # the resource's own tag wins
    assert tags("bare") == {"team": "data", "env": "dev"}
    # The default provider takes the stack's; an explicit provider does not inherit them.
    assert tags("default") == {"owner": "stack"}
    assert state.outputs["ownTagsAll"] == {"team": "data", "env": "prod"}
    assert not engine.preview().pending, "default tags cause no diff on the next preview"
    engine.destroy()


TRANSFORMS = """
    import json
    import pulumi
    import pulumi_aws as aws

    def tag(key, value):
        def transform(args):
            if args.type_ != "aws:sqs/queue:Queue":
                return None
            props = dict(args.props)
            props["tags"] = {**(props.get("tags") or {}), key: value}
            return pulumi.ResourceTransformResult(props, args.opts)
        return transform

    async def keep(args):  # async transforms are awaited, as the engine does
        if args.type_ == "aws:sqs/queue:Queue" and args.name == "kept":
            retain = pulumi.ResourceOptions(retain_on_delete=True)
            return pulumi.ResourceTransformResult(
                args.props, pulumi.ResourceOptions.merge(args.opts, retain)
            )
        return None

    pulumi.runtime.register_resource_transform(tag("stack", "yes"))
    pulumi.runtime.register_resource_transform(keep)

    class Tenant(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("test:index:Tenant", name, None, opts)
            self.queue = aws.sqs.Queue(f"{name}-q", opts=pulumi.ResourceOptions(parent=self))

    acme = Tenant("acme", opts=pulumi.ResourceOptions(transforms=[tag("tenant", "acme")]))
    # An asset passes through a transform untouched (a Lambda's code is one).
    fn_role = aws.iam.Role("fn", assume_role_policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    fn = aws.lambda_.Function(
        "fn", role=fn_role.arn, runtime="python3.12", handler="app.handler",
        code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): return 1")}),
        opts=pulumi.ResourceOptions(transforms=[tag("own", "1")]),
    )
    pulumi.export("fn", fn.name)
    own = aws.sqs.Queue("own", opts=pulumi.ResourceOptions(transforms=[tag("own", "1")]))
    kept = aws.sqs.Queue("kept")
    pulumi.export("child", acme.queue.url)
    pulumi.export("own", own.url)
"""


def test_transforms_own_inherited_and_stack_run_before_the_resource_is_applied(
    pulumi_project, aws_client
):
    engine = pulumi_project(TRANSFORMS)
    state = engine.up()
    sqs = aws_client("sqs")

    def tags(export: str) -> dict:
        return sqs.list_queue_tags(QueueUrl=state.outputs[export]).get("Tags", {})

    assert tags("child") == {"tenant": "acme", "stack": "yes"}  # the parent's, then stack's
    assert tags("own") == {"own": "1", "stack": "yes"}
    code = aws_client("lambda").get_function(FunctionName=state.outputs["fn"])["Code"]
    assert code.get("Location") or code.get("RepositoryType"), "the asset reached Lambda"
    assert state.named("kept").retain_on_delete, "a transform's options are honoured too"
    assert not engine.preview().pending
    engine.destroy()
    kept = sqs.get_queue_url(QueueName=state.named("kept").outputs["name"])["QueueUrl"]
    sqs.delete_queue(QueueUrl=kept)  # retained by destroy, as the transform asked


KEY_POLICY = """
    import json
    import pulumi
    import pulumi_aws as aws

    me = aws.get_caller_identity()
    key = aws.kms.Key("data", description="tenant data")
    aws.kms.KeyPolicy(
        "data",
        key_id=key.id,
        policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Root", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                "Principal": {"AWS": f"arn:aws:iam::{me.account_id}:root"},
            }],
        }),
    )
    pulumi.export("keyId", key.id)
"""


def test_a_key_policy_as_its_own_resource_is_the_keys_policy(pulumi_project, aws_client):
    engine = pulumi_project(KEY_POLICY)
    state = engine.up()
    kms = aws_client("kms")
    policy = json.loads(
        kms.get_key_policy(KeyId=state.outputs["keyId"], PolicyName="default")["Policy"]
    )
    assert [s["Sid"] for s in policy["Statement"]] == ["Root"]
    assert not engine.preview().pending
    assert not engine.refresh(), "the policy read back is the one applied: no drift"
    engine.destroy()
    meta = kms.describe_key(KeyId=state.outputs["keyId"])["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"
