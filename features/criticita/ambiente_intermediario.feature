# language: it
@criticita @simulatore
Funzionalità: Criticità dell'ambiente di test dell'intermediario
  Gli ambienti di test degli intermediari hanno disservizi frequenti: errori nella
  creazione del pagamento, avviso o ricevuta che non si scaricano, stato che non si
  aggiorna, redirect verso il portale che non funziona. Il proxy deve sopravvivere:
  nessun pagamento perso, nessuno duplicato, il motivo visibile, e agli atti gli
  scambi SOAP/HTTP da mandare al supporto tecnico del fornitore.

  Schema dello scenario: la creazione fallisce, il proxy riprova e crea una sola posizione
    Dato il simulatore <intermediario> risponde a <operazione> con <errore>
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il proxy registra il motivo "<motivo>" e riproverà la creazione
    E il pagamento resta in stato CREATION_PENDING per la piattaforma
    E il proxy conserva gli scambi con l'intermediario, senza credenziali, per il fornitore
    Quando il simulatore <intermediario> torna a funzionare
    E arriva il momento del nuovo tentativo
    Allora il pagamento passa in stato PAYMENT_PENDING
    E l'intermediario ha una sola posizione debitoria per quel pagamento

    @mypay
    Esempi: MyPay
      | intermediario | operazione          | errore                    | motivo           |
      | MyPay         | paaSILImportaDovuto | PAA_SYSTEM_ERROR          | PAA_SYSTEM_ERROR |
      | MyPay         | paaSILImportaDovuto | XML malformato            | XML              |
      | MyPay         | paaSILImportaDovuto | namespace errato          | expected the     |
      | MyPay         | paaSILImportaDovuto | elemento mancante         | MALFORMED        |
      | MyPay         | paaSILImportaDovuto | risposta oltre il timeout | TIMEOUT          |

    @gpd
    Esempi: GPD
      | intermediario | operazione               | errore                    | motivo  |
      | GPD           | POST /debtpositions      | HTTP 500                  | 500     |
      | GPD           | POST /debtpositions      | JSON malformato           | JSON    |
      | GPD           | POST /debtpositions      | risposta oltre il timeout | TIMEOUT |

    @govpay
    Esempi: GovPay
      | intermediario | operazione    | errore                    | motivo   |
      | GovPay        | PUT /pendenze | HTTP 500                  | INTERNO  |
      | GovPay        | PUT /pendenze | JSON malformato           | JSON     |
      | GovPay        | PUT /pendenze | risposta oltre il timeout | TIMEOUT  |

  Scenario: risposte lente ma entro i tempi di pagoPA non bloccano nulla
    Dato il simulatore dell'intermediario risponde lentamente ma entro i tempi
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il pagamento passa in stato PAYMENT_PENDING

  # GPD has no notice to download: the proxy makes the PDF itself.
  Schema dello scenario: l'avviso non si scarica e il proxy spiega perché
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il simulatore <intermediario> non restituisce l'avviso di pagamento
    Quando il cittadino scarica l'avviso di pagamento
    Allora il proxy risponde con un errore dell'intermediario che ne spiega il motivo
    Quando il simulatore <intermediario> torna a funzionare
    Allora l'avviso di pagamento si scarica in PDF

    @mypay
    Esempi: MyPay
      | intermediario |
      | MyPay         |

    @govpay
    Esempi: GovPay
      | intermediario |
      | GovPay        |

  Scenario: lo stato non si aggiorna, il pagamento non si perde
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il cittadino ha pagato sul checkout senza tornare all'Area Personale
    E il simulatore dell'intermediario risponde con errore alle richieste di stato
    Quando la piattaforma chiama il link di aggiornamento del pagamento
    Allora il proxy risponde con un errore dell'intermediario che ne spiega il motivo
    E il pagamento non risulta ancora pagato per la piattaforma
    Quando il simulatore dell'intermediario torna a funzionare
    E la piattaforma chiama il link di aggiornamento del pagamento
    Allora il pagamento passa in stato COMPLETE

  Scenario: la ricevuta non si scarica, poi si scarica
    Dato una pratica di occupazione suolo pubblico pagata online
    E il simulatore dell'intermediario non restituisce la ricevuta
    Quando il cittadino chiede la ricevuta
    Allora il proxy risponde con un errore dell'intermediario che ne spiega il motivo
    Quando il simulatore dell'intermediario torna a funzionare
    E il cittadino chiede la ricevuta
    Allora il proxy risponde 200
    E la ricevuta riporta lo IUV del pagamento

  Scenario: il redirect verso il portale di pagamento non funziona
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il link di pagamento consegnato al cittadino non porta al portale
    Quando il cittadino prova a pagare online
    Allora il cittadino non vede la pagina del carrello
    E il pagamento non risulta pagato
    Quando il simulatore dell'intermediario torna a funzionare
    E il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento passa in stato COMPLETE
