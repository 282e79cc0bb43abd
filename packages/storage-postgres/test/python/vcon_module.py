"""A faithful stand-in for vcon-server's Python PostgreSQL storage module (peewee), for compat tests.

Usage: vcon_module.py <database-url> create|save|get [uuid]
  create         create_tables(safe=True), as the module does on start
  save           read a vCon (JSON) on stdin and upsert it as the module does
  get <uuid>     print vcon_json of that id as JSON, or null
"""
import json
import sys
import uuid as uuidlib
from datetime import datetime
from urllib.parse import urlparse

from peewee import CharField, DateTimeField, Model, TextField, UUIDField
from playhouse.postgres_ext import BinaryJSONField, PostgresqlExtDatabase

url = urlparse(sys.argv[1])
db = PostgresqlExtDatabase(
    url.path.lstrip("/"), user=url.username, password=url.password, host=url.hostname, port=url.port
)


class Vcons(Model):
    id = UUIDField(primary_key=True)
    vcon = TextField()
    uuid = UUIDField()
    created_at = DateTimeField()
    updated_at = DateTimeField(null=True)
    subject = TextField(null=True)
    vcon_json = BinaryJSONField(null=True)

    class Meta:
        database = db
        table_name = "vcons"


command = sys.argv[2]
db.connect()
if command == "create":
    db.create_tables([Vcons], safe=True)
elif command == "save":
    vcon = json.load(sys.stdin)
    data = {
        "id": vcon["uuid"],
        "vcon": vcon.get("vcon", "0.0.1"),
        "uuid": vcon["uuid"],
        "created_at": vcon.get("created_at") or datetime.now().isoformat(),
        "updated_at": datetime.now(),
        "subject": vcon.get("subject"),
        "vcon_json": vcon,
    }
    Vcons.insert(**data).on_conflict(conflict_target=(Vcons.id,), update=data).execute()
elif command == "get":
    try:
        row = Vcons.get(Vcons.id == uuidlib.UUID(sys.argv[3]))
        print(json.dumps(row.vcon_json))
    except Vcons.DoesNotExist:
        print("null")
db.close()
