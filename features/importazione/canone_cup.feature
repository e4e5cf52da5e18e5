# language: it
@importazione
Funzionalità: Importazione da file CSV di pagamenti pendenti creati fuori dalla piattaforma
  Il comune importa i canoni CUP già determinati nel gestionale tributi: le righe con
  un numero avviso già emesso sono registrate come PAYMENT_PENDING, quelle senza sono
  create sull'intermediario. Le righe sbagliate sono segnalate con riga e motivo, le
  altre importate comunque; importare di nuovo lo stesso file non cambia nulla.
  Nelle tabelle, "nuovo" è un numero avviso valido mai usato prima. Il proxy importa
  ogni file in background; qui l'operatore attende il risultato, tranne quando il
  proxy si riavvia a metà file: allora l'importazione riprende da sola da dove era.

  Scenario: il comune importa i canoni CUP dal gestionale tributi
    Dato un file CSV di canoni CUP con queste righe:
      | numero avviso | importo | causale                            | scadenza   | codice fiscale   | nome  | cognome |
      | nuovo         | 120,50  | Canone CUP 2025 - passo carrabile  | 2030-12-31 | RSSMRA80A01H501U | Mario | Rossi   |
      |               | 80,00   | Canone CUP 2025 - insegna          | 31/12/2030 | VRDLGU75B12G702G | Luigi | Verdi   |
    Quando l'operatore importa il file per il servizio Canone CUP
    Allora il resoconto riporta 1 pagamenti registrati, 1 creati e 0 errori
    E la riga 2 è in stato PAYMENT_PENDING con il numero avviso del file
    E la riga 3 è in stato PAYMENT_PENDING con un numero avviso dato dall'intermediario
    E la piattaforma vede i pagamenti importati in stato PAYMENT_PENDING

  Scenario: le righe sbagliate sono segnalate con riga e motivo, le altre importate
    Dato un file CSV di canoni CUP con queste righe:
      | numero avviso      | importo    | causale                   | scadenza   | codice fiscale   | nome  | cognome |
      | nuovo              | 50,00      | Canone CUP 2025 - dehors  | 2030-12-31 | RSSMRA80A01H501U | Mario | Rossi   |
      | 301000000000000099 | 50,00      | Canone CUP 2025 - tende   | 2030-12-31 | RSSMRA80A01H501U | Mario | Rossi   |
      |                    | dieci euro | Canone CUP 2025 - vetrina | 2030-12-31 | RSSMRA80A01H501U | Mario | Rossi   |
      |                    | 30,00      | Canone CUP 2025 - bacheca | 2030-12-31 | XYZ              | Mario | Rossi   |
    Quando l'operatore importa il file per il servizio Canone CUP
    Allora il resoconto riporta 1 pagamenti registrati, 0 creati e 3 errori
    E l'errore alla riga 3 riguarda il numero avviso
    E l'errore alla riga 4 riguarda l'importo
    E l'errore alla riga 5 riguarda il codice fiscale

  Scenario: importare di nuovo lo stesso file non cambia nulla
    Dato un file CSV di canoni CUP con queste righe:
      | numero avviso | importo | causale                       | scadenza   | codice fiscale   | nome  | cognome |
      | nuovo         | 75,00   | Canone CUP 2025 - chiosco     | 2030-12-31 | RSSMRA80A01H501U | Mario | Rossi   |
      |               | 40,00   | Canone CUP 2025 - cartellone  | 2030-12-31 | VRDLGU75B12G702G | Luigi | Verdi   |
    E l'operatore ha già importato il file per il servizio Canone CUP
    Quando l'operatore importa il file per il servizio Canone CUP
    Allora il resoconto riporta 0 pagamenti registrati, 0 creati e 0 errori
    E tutte le righe risultano invariate, con gli stessi pagamenti della prima importazione
    E l'intermediario ha una sola posizione debitoria per la riga senza numero avviso

  Scenario: un file per un servizio che il proxy non conosce è rifiutato
    Dato un file CSV di canoni CUP con queste righe:
      | numero avviso | importo | causale              | scadenza   | codice fiscale   | nome  | cognome |
      |               | 10,00   | Canone CUP 2025 - x  | 2030-12-31 | RSSMRA80A01H501U | Mario | Rossi   |
    Quando l'operatore importa il file per un servizio che il proxy non conosce
    Allora il proxy risponde 422
    E l'errore indica il campo "service_id"

  Scenario: il proxy si riavvia a metà di un file e l'importazione si completa da sola
    Dato un file CSV di 120 canoni CUP senza numero avviso
    Quando l'operatore carica il file per il servizio Canone CUP senza attendere
    E il proxy si riavvia mentre l'importazione è a metà
    Allora l'importazione si completa da sola, senza un nuovo caricamento
    E il resoconto riporta 0 pagamenti registrati, 120 creati e 0 errori
    E l'intermediario ha una sola posizione debitoria per ogni riga del file
