"""The real form.io renderer (the ``formiojs`` npm package) driving the admin forms.

- :mod:`collaudo.formio.install` installs ``formiojs@4`` (and Bootstrap 4's CSS, the
  look its default templates expect) once, with npm, into a git-ignored directory
  (``.collaudo/node/`` by default, ``COLLAUDO_FORMIO_DIR`` to move it);
- :mod:`collaudo.formio.page` serves the operator's desk, a small local page on loopback
  that renders a proxy's form.io schema with ``Formio.createForm`` (form after form in
  one page, form.io loaded once) and forwards each submission to the proxy's
  configuration API;
- :mod:`collaudo.formio.operator` fills and submits that form in a browser, as an
  operator would, and reads back the errors the renderer or the proxy showed.
"""
