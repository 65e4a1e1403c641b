"""Seeds a fresh node with one of everything the API addresses by ID (a capture inbox and
its destination, a topic wired to it, an integration with an installation, a delivered
message and its capture) and prints a schemathesis config whose path parameters name
them, so the fuzzer reaches past "404 not found". Standard library only."""

import json
import sys
import time
import urllib.error
import urllib.request

base, key, spare_key = sys.argv[1], sys.argv[2], sys.argv[3]
project = f"{base}/v1/projects/default"


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("X-Api-Key", key)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        sys.exit(f"seeding: {method} {url} answered {e.code}: {e.read().decode()}")


inbox = call("POST", f"{project}/inboxes", {"name": "fuzz-inbox", "createDestination": True})
destination = inbox["destinationId"]
destination_name = call("GET", f"{project}/destinations/{destination}")["name"]
topic = call("POST", f"{project}/topics", {
    "name": "fuzz-topic",
    "eventTypes": ["connection.created"],
    "destinationIds": [destination],
})
manifest = """specVersion: 1.0.0
integrations:
  - name: fuzzIntegration
    provider: salesforce
    read:
      objects:
        - objectName: contact
          destination: %s
          schedule: "*/10 * * * *"
          backfill:
            defaultPeriod:
              days: 30
          requiredFields:
            - fieldName: id
          optionalFieldsAuto: all
""" % destination_name
call("PUT", f"{project}/integrations:batch", {"sourceYaml": manifest})
installation = call("POST", f"{project}/integrations/fuzzIntegration/installations", {
    "groupRef": "fuzz-group",
    "config": {"content": {"provider": "salesforce", "read": {"objects": {
        "contact": {"objectName": "contact", "selectedFields": {"email": True}}}}}},
})
published = call("POST", f"{project}/notifications", {
    "notificationType": "connection.created",
    "data": {"projectId": "p", "connectionId": "c", "provider": "salesforce",
             "groupRef": "fuzz-group", "consumerRef": "u", "consumerName": "U"},
})
message = published["messages"][0]["id"]
captures = []
for _ in range(300):
    captures = call("GET", f"{project}/inboxes/fuzz-inbox/captures")
    if captures:
        break
    time.sleep(0.1)
if not captures:
    sys.exit("seeding: the delivery to the capture inbox never arrived")
operations = call("GET", f"{project}/integrations/fuzzIntegration/installations/{installation['id']}/operations")
keys = call("GET", f"{base}/v1/keys")
spare = next(k["id"] for k in keys if k["name"] == spare_key)
routes = call("GET", f"{project}/topic-destination-routes")

parameters = {
    "projectIdOrName": "default",
    "destination": destination,
    "destinationId": destination,
    "topicId": topic["id"],
    "inbox": inbox["id"],  # an ID: a PATCH may rename it
    "capture": captures[0]["id"],
    "integrationId": "fuzzIntegration",
    "integrationIdOrName": "fuzzIntegration",
    "installationId": installation["id"],
    "groupRef": "fuzz-group",
    "objectName": "contact",
    "messageId": message,
    "key": spare,
    "routeId": routes[0]["id"],
}
if operations:
    parameters["operationId"] = operations[0]["id"]
print("[parameters]")
for name, value in parameters.items():
    print(f"{name} = {json.dumps(value)}")
