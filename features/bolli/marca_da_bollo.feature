# language: it
@bollo
Funzionalità: Marca da bollo sull'istanza di residenza
  L'istanza di residenza richiede una marca da bollo da 16 euro. Con la marca cartacea
  il cittadino registra numero identificativo e data di emissione: una marca paga un
  solo documento, quindi un identificativo già usato è rifiutato. Con la marca da bollo
  digitale il bollo si paga tramite pagoPA, legato all'impronta del documento.

  Scenario: il cittadino registra la marca da bollo cartacea da 16 euro
    Dato una marca da bollo cartacea da 16 euro mai usata, emessa il "15/03/2025"
    Quando il cittadino la registra sull'istanza di residenza
    Allora il proxy risponde 201
    E la marca risulta registrata per quella istanza

  Scenario: una marca da bollo già usata è rifiutata
    Dato una marca da bollo cartacea da 16 euro mai usata, emessa il "15/03/2025"
    E il cittadino la registra sull'istanza di residenza
    Quando il cittadino la registra su un'altra istanza di residenza
    Allora il proxy risponde 409
    E la risposta spiega che la marca è già stata usata

  Schema dello scenario: una marca con dati sbagliati è rifiutata indicando il campo
    Quando il cittadino registra la marca "<identificativo>" emessa il "<data>" sull'istanza di residenza
    Allora il proxy risponde 422
    E l'errore indica il campo "<campo>"

    Esempi:
      | identificativo | data       | campo      |
      | 1234           | 15/03/2025 | identifier |
      | nuovo          | 31/02/2025 | issued_on  |
      | nuovo          |            | issued_on  |

  @manuale
  Scenario: la marca da bollo digitale si paga con pagoPA
    Dato il cittadino "Mario Rossi" con codice fiscale "RSSMRA80A01H501U"
    Quando il cittadino presenta l'istanza di residenza con il documento da bollare
    Allora il pagamento passa in stato PAYMENT_PENDING
    E l'importo del pagamento è 16,00 euro
    E il pagamento è una marca da bollo per l'impronta del documento
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento passa in stato COMPLETE
    E la ricevuta riporta la marca da bollo digitale
