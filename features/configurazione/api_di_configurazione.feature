# language: it
@configurazione
Funzionalità: Configurazione del pagamento tramite le API del proxy
  Prima di aprire i pagamenti ai cittadini, l'operatore OpenCity configura sul proxy
  di pagamento l'ente (tenant) e i suoi servizi, con i campi che l'intermediario
  richiede. Le API seguono il contratto OpenCity v2: schemi form.io per l'interfaccia
  di amministrazione, creazione, modifica e disattivazione (mai cancellazione).

  Scenario: il proxy pubblica i moduli form.io di ente e servizio
    Quando l'operatore apre il modulo di configurazione dell'ente
    Allora il modulo è uno schema form.io con i campi richiesti dall'intermediario
    Quando l'operatore apre il modulo di configurazione del servizio
    Allora il modulo è uno schema form.io con i campi richiesti dall'intermediario

  Scenario: un nuovo ente viene creato, modificato e disattivato
    Dato un nuovo ente "Comune di Roccasecca" configurato per l'intermediario
    Quando l'operatore salva la configurazione
    Allora il proxy risponde 201
    E la configurazione risulta attiva con nome "Comune di Roccasecca"
    Quando l'operatore cambia il nome in "Comune di Roccasecca dei Volsci"
    Allora la configurazione risulta attiva con nome "Comune di Roccasecca dei Volsci"
    Quando l'operatore disattiva la configurazione
    Allora la configurazione risulta disattivata ma ancora consultabile

  Scenario: un servizio disattivato non genera più pagamenti
    Dato un nuovo ente "Comune di Castelmezzano" configurato per l'intermediario
    E l'operatore salva la configurazione
    E un nuovo servizio "Occupazione suolo pubblico" da 20,00 euro per quell'ente
    Quando l'operatore salva la configurazione
    Allora il proxy risponde 201
    Quando l'operatore porta l'importo del servizio a 25,00 euro
    Allora il servizio risulta attivo con importo 25,00 euro
    Quando l'operatore disattiva la configurazione
    Allora la configurazione risulta disattivata ma ancora consultabile
    Quando un cittadino presenta una domanda per quel servizio
    Allora il proxy non crea alcuna posizione debitoria per quella pratica

  Schema dello scenario: una configurazione dell'ente sbagliata è rifiutata indicando il campo
    Dato un nuovo ente "Comune di Prova" configurato per l'intermediario
    Quando l'operatore salva la configurazione con <campo> uguale a "<valore>"
    Allora il proxy risponde 422
    E l'errore indica il campo "<campo>"
    E il proxy non ha salvato la configurazione

    Esempi: campi comuni
      | campo                     | valore      |
      | tax_identification_number | 123         |
      | id                        | non-un-uuid |

    @mypay
    Esempi: campi MyPay
      | campo            | valore      |
      | mypay_codice_ipa | C BUGLIANO! |

    @gpd
    Esempi: campi GPD
      | campo        | valore         |
      | gpd_base_url | non-è-un-url   |

    @govpay
    Esempi: campi GovPay
      | campo           | valore          |
      | govpay_base_url | non-è-un-url    |
      | govpay_id_a2a   | A2A con spazi!  |

  Scenario: un servizio per un ente inesistente è rifiutato
    Dato un nuovo servizio "Canone unico patrimoniale" da 100,00 euro per un ente mai configurato
    Quando l'operatore salva la configurazione
    Allora il proxy risponde 422
    E l'errore indica il campo "tenant_id"

  Scenario: senza token le API di configurazione restano chiuse
    Quando una chiamata senza token chiede l'elenco degli enti
    Allora il proxy risponde 401
