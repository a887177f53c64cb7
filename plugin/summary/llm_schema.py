"""The JSON shape an LLM must answer in, checked with marshmallow before anything is used."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from plugin.summary.types import TONES


class CommentId(fields.Field):
    """A comment id: accept a string or an integer, keep it as a string."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:  # noqa: ANN001
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError("Not a comment id.")
        text = str(value).strip().lstrip("#")
        if not text:
            raise ValidationError("Empty comment id.")
        return text


class ClaimSchema(Schema):
    """One statement and the comment it rests on."""

    class Meta:
        unknown = EXCLUDE

    text = fields.String(required=True, validate=validate.Length(min=1, max=600))
    comment_id = CommentId(required=True)


class PromiseSchema(ClaimSchema):
    """A promise: a claim plus its deadline (ISO-8601 with offset) or null."""

    deadline = fields.String(allow_none=True, load_default=None)


class DraftSchema(Schema):
    """The whole answer: summary, fields with evidence, tone."""

    class Meta:
        unknown = EXCLUDE

    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    situation = fields.List(fields.Nested(ClaimSchema), required=True)
    tried = fields.List(fields.Nested(ClaimSchema), load_default=list)
    promises = fields.List(fields.Nested(PromiseSchema), load_default=list)
    apologies = fields.List(CommentId(), load_default=list)
    tone = fields.String(required=True, validate=validate.OneOf(TONES))
    churn_risk = fields.Boolean(load_default=False)
    customer = fields.List(fields.Nested(ClaimSchema), load_default=list)


ANSWER_SHAPE = """{
  "summary": "2-4 plain sentences for the next agent",
  "situation": [{"text": "...", "comment_id": "<id>"}],
  "tried": [{"text": "...", "comment_id": "<id>"}],
  "promises": [{"text": "...", "deadline": "<ISO-8601 with offset or null>", "comment_id": "<id>"}],
  "apologies": ["<id of each agent comment that apologised>"],
  "tone": "frustrated | neutral | positive",
  "churn_risk": false,
  "customer": [{"text": "cue about the customer's state", "comment_id": "<id>"}]
}"""
