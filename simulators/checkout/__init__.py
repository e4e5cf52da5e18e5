"""pagoPA Checkout + Nodo mock.

Simulates what a citizen and a creditor's station meet when paying through pagoPA:
the Checkout EC API (``POST /checkout/ec/v1|v2/carts``, 302 to the cart page), the
Checkout pages a browser (or a plain HTTP client) walks through — cart, payment method,
card data, confirmation, outcome — and the Nodo dei Pagamenti calling each creditor's
paForNode station (``paVerifyPaymentNotice``, ``paGetPaymentV2``, ``paSendRTV2`` with
``MBDAttachment`` for digital stamps). Also a direct entry ``GET /pay`` for
intermediaries that hand out their own payment URL. See :mod:`simulators.checkout.app`.
"""
