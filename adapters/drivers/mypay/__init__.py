"""MyPay (Regione del Veneto, "pa-per-ente" SOAP API) as an :class:`Intermediary`.

Verb → operation:

- create: ``paaSILImportaDovuto`` (``Versamento``, ``azione`` I, MyPay generates the IUV). The
  IUD comes from the payment id, so a retry after a timeout meets ``PAA_IUD_DUPLICATO`` and
  finds the existing dovuto with ``azione`` S (print), instead of creating a second one.
  A digital stamp cannot travel in a ``Versamento`` (the XSD has no place for it): it goes
  through ``paaSILInviaDovuti`` with ``datiMarcaBolloDigitale`` and an IUV the driver derives
  from the payment id and the segregation code.
- checkout URL: ``paaSILVerificaAvviso`` (pay the existing notice online).
- notice: the PDF at ``urlFileAvviso``, else ``paaSILImportaDovuto`` with ``azione`` S, whose
  ``urlFileAvviso`` or ``base64ZipAvviso`` carries it.
- status: ``paaSILChiediPagatiConRicevuta`` by IUD (``paaSILChiediPagati`` by session for
  immediate payments MyPay does not know by IUD).
- receipt: ``paaSILChiediPagatiConRicevuta``: the RT (``rt``), else the ``Pagati`` document.

Fault beans (``risposta.fault``) and SOAP faults are translated: ``PAA_SYSTEM_ERROR``, HTTP 5xx,
timeouts and refused connections are retriable; ``PAA_SEMANTICA`` and the other semantic
codes are permanent.

Modules: :mod:`.config` (fields, credentials), :mod:`.documents` (the base64 XML documents),
:mod:`.faults` (fault beans → errors), :mod:`.client` (zeep/httpx calls), :mod:`.create`
(dovuto creation, identifiers), :mod:`.payments` (status and receipt), :mod:`.driver` (the
five verbs).
"""

from __future__ import annotations

from adapters.drivers.mypay.config import FIELDS
from adapters.drivers.mypay.driver import MyPayDriver, spec
from adapters.drivers.mypay.faults import MyPayFault

__all__ = ["FIELDS", "MyPayDriver", "MyPayFault", "spec"]
