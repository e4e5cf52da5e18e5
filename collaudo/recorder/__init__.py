"""Recording production traffic with mitmproxy, replaying it, drift checks, vendor reports.

- :mod:`.addon`, :mod:`.proxy`: the recording addon and mitmproxy run programmatically;
- :mod:`.redaction`, :mod:`.pseudonyms`, :mod:`.fields`: what is hidden, and how;
- :mod:`.metadata`: what each flow keeps for reports (``flow.metadata["collaudo"]``);
- :mod:`.flows`: flow files; :mod:`.matching`, :mod:`.replay_server`,
  :mod:`.replay_client`: replay; :mod:`.drift`: contract checks; :mod:`.report`,
  :mod:`.exchanges`: vendor reports; :mod:`.sample`: the committed sample recordings.
"""
