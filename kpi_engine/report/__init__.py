"""The scorecard report: HTML (self-contained, with SVG charts) or Markdown, from an evaluation."""
