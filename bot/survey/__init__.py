"""The satisfaction survey: invitation on close, answers by web or by reply, the report."""
